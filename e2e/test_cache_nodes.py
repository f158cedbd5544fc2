"""Real caches behind clusters: each node a memcached or redis-server process on loopback,
available only once it answers, reached with real clients, gone when the cluster is deleted."""

import os
import signal
import socket
import time

import pymemcache.client.base
import pytest
import redis

from conftest import Server
from nodes import endpoint, free_port_block, kill_and_wait, needs_both_engines, node_pid, refused

pytestmark = needs_both_engines


def test_a_redis_cluster_is_a_redis_server_you_can_use(with_nodes):
    srv = with_nodes
    ec = srv.client("elasticache")
    ec.create_cache_cluster(CacheClusterId="real-redis", Engine="redis", CacheNodeType="cache.t4g.small")
    assert endpoint(ec, "real-redis")[0] == "creating"
    srv.advance(10)
    status, address = endpoint(ec, "real-redis")
    assert status == "available" and address["Address"] == "127.0.0.1"
    client = redis.Redis(host=address["Address"], port=address["Port"], socket_timeout=5)
    client.set("greeting", "hello from a real node")
    assert client.get("greeting") == b"hello from a real node"
    client.close()

    ec.reboot_cache_cluster(CacheClusterId="real-redis", CacheNodeIdsToReboot=["0001"])
    srv.advance(10)
    assert endpoint(ec, "real-redis")[0] == "available"
    # A reboot restarts the process: this node keeps no data across it.
    assert redis.Redis(host=address["Address"], port=address["Port"], socket_timeout=5).get("greeting") is None

    ec.delete_cache_cluster(CacheClusterId="real-redis")
    srv.advance(10)
    assert refused(address["Address"], address["Port"])


def test_memcached_nodes_each_answer(with_nodes):
    srv = with_nodes
    ec = srv.client("elasticache")
    ec.create_cache_cluster(
        CacheClusterId="real-memcached", Engine="memcached", CacheNodeType="cache.t4g.small", NumCacheNodes=2
    )
    srv.advance(10)
    cluster = ec.describe_cache_clusters(CacheClusterId="real-memcached", ShowCacheNodeInfo=True)["CacheClusters"][0]
    assert cluster["CacheClusterStatus"] == "available"
    ports = {node["Endpoint"]["Port"] for node in cluster["CacheNodes"]}
    assert len(ports) == 2
    for port in ports:
        client = pymemcache.client.base.Client(("127.0.0.1", port), connect_timeout=5, timeout=5)
        client.set("k", b"v")
        assert client.get("k") == b"v"
        client.close()
    ec.delete_cache_cluster(CacheClusterId="real-memcached")
    srv.advance(10)
    assert all(refused("127.0.0.1", port) for port in ports)


def test_nodes_none_keeps_address_only_nodes(fresh_server):
    srv = fresh_server(nodes="none")
    ec = srv.client("elasticache")
    ec.create_cache_cluster(CacheClusterId="paper", Engine="redis", CacheNodeType="cache.t4g.small")
    srv.advance(10)
    status, address = endpoint(ec, "paper")
    assert status == "available" and address["Address"].endswith(".cache.amazonaws.com")
    assert "cache nodes are addresses only" in srv.output()


def test_a_dead_node_comes_back_and_nodes_outlive_no_server(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    ec.create_cache_cluster(CacheClusterId="phoenix", Engine="valkey", CacheNodeType="cache.t4g.small")
    srv.advance(10)
    _, address = endpoint(ec, "phoenix")
    port = address["Port"]
    kill_and_wait(node_pid(srv, port))
    srv.advance(0)  # a supervision pass restarts it
    assert redis.Redis(host="127.0.0.1", port=port, socket_timeout=5).ping()
    # ...and ElastiCache says so in its event log, as for a node it replaces.
    messages = [e["Message"] for e in ec.describe_events(SourceIdentifier="phoenix", SourceType="cache-cluster",
                                                           Duration=60)["Events"]]
    assert "Recovering cache nodes 0001" in messages and "Finished recovery for cache nodes 0001" in messages

    # kill -9 of the server leaves its node running; the next start replaces it on the same port.
    orphan = node_pid(srv, port)
    srv.process.send_signal(signal.SIGKILL)
    srv.process.wait()
    again = Server(srv.data_dir, nodes="real")
    try:
        again.advance(0)
        assert not os.path.exists(f"/proc/{orphan}") or b"redis" not in open(f"/proc/{orphan}/cmdline", "rb").read()
        assert redis.Redis(host="127.0.0.1", port=port, socket_timeout=5).ping()
    finally:
        again.stop()
    # SIGTERM stops the nodes with the server.
    assert refused("127.0.0.1", port)


def test_a_node_that_cannot_start_again_says_why_in_the_servers_log(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    ec.create_cache_cluster(CacheClusterId="blocked", Engine="redis", CacheNodeType="cache.t4g.small")
    srv.advance(10)
    port = endpoint(ec, "blocked")[1]["Port"]
    squatter = socket.socket()
    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        # Kill the node and take its port before a supervision pass (each second) restarts it.
        for _ in range(5):
            os.kill(node_pid(srv, port), signal.SIGKILL)
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                try:
                    squatter.bind(("127.0.0.1", port))
                    break
                except OSError:
                    time.sleep(0.005)
            else:
                continue
            break
        squatter.listen()

        def named():
            srv.advance(0)
            return [line for line in srv.output().splitlines()
                    if "cache node exited" in line and "Address already in use" in line]

        deadline = time.monotonic() + 20
        while not named():
            assert time.monotonic() < deadline, srv.output()[-3000:]
            time.sleep(0.5)
        # It is retried after 1, 2, 4, 8 s, not at every pass: ten passes in a row start it
        # (and log its exit) a few times at most, not ten.
        before = srv.output().count("cache node exited")
        for _ in range(10):
            srv.advance(0)
        assert srv.output().count("cache node exited") - before < 6
    finally:
        squatter.close()
    # Once the port is free again the node comes back.
    deadline = time.monotonic() + 20
    while True:
        srv.advance(0)
        try:
            if redis.Redis(host="127.0.0.1", port=port, socket_timeout=2).ping():
                break
        except redis.exceptions.ConnectionError:
            pass
        assert time.monotonic() < deadline, "the node did not come back"
        time.sleep(0.5)


def test_an_auth_token_is_the_nodes_password_and_rotates_live(with_nodes):
    srv = with_nodes
    ec = srv.client("elasticache")
    first, second = "first-token-0123456789", "second-token-0123456789"
    # A standalone Redis OSS cluster has no in-transit encryption, so no AUTH token (AWS's rule).
    with pytest.raises(ec.exceptions.ClientError, match="Encryption feature is not supported for engine REDIS"):
        ec.create_cache_cluster(CacheClusterId="authed", Engine="redis", CacheNodeType="cache.t4g.small",
                                AuthToken=first, TransitEncryptionEnabled=True)
    ec.create_replication_group(ReplicationGroupId="authed", ReplicationGroupDescription="token",
                                Engine="redis", CacheNodeType="cache.t4g.small", NumCacheClusters=1,
                                AuthToken=first, TransitEncryptionEnabled=True)
    srv.advance(10)
    srv.advance(10)
    address = ec.describe_replication_groups(ReplicationGroupId="authed")["ReplicationGroups"][0]["NodeGroups"][0][
        "PrimaryEndpoint"]
    host, port = address["Address"], address["Port"]
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(host=host, port=port, socket_timeout=5, **srv.tls).set("k", "v")
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(host=host, port=port, password="wrong-token-0123456789", socket_timeout=5, **srv.tls).ping()
    client = redis.Redis(host=host, port=port, password=first, socket_timeout=5, **srv.tls)
    client.set("k", "kept across the rotation")

    # No token in the process's arguments; the configuration file is the owner's alone.
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                command = open(f"/proc/{pid}/cmdline", "rb").read()
            except OSError:
                continue
            assert first.encode() not in command
    configs = [p for p in (srv.data_dir / "nodes").rglob("node.conf")]
    assert configs and all(oct(p.stat().st_mode & 0o777) == "0o600" for p in configs)

    ec.modify_replication_group(ReplicationGroupId="authed", AuthToken=second, AuthTokenUpdateStrategy="ROTATE",
                                ApplyImmediately=True)
    srv.advance(10)
    for token in (first, second):  # both during a rotation
        assert redis.Redis(host=host, port=port, password=token, socket_timeout=5, **srv.tls).get(
            "k") == b"kept across the rotation"
    ec.modify_replication_group(ReplicationGroupId="authed", AuthToken=second, AuthTokenUpdateStrategy="SET",
                                ApplyImmediately=True)
    srv.advance(10)
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(host=host, port=port, password=first, socket_timeout=5, **srv.tls).ping()
    assert redis.Redis(host=host, port=port, password=second, socket_timeout=5, **srv.tls).get(
        "k") == b"kept across the rotation"
    client.close()


def config_get_cluster(host, port, command=b"config get cluster\r\n"):
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(command)
        answer = b""
        while not answer.endswith(b"END\r\n"):
            chunk = s.recv(4096)
            assert chunk, answer
            answer += chunk
    return answer.decode()


def test_memcached_auto_discovery_lists_the_nodes_and_forwards_the_rest(with_nodes):
    srv = with_nodes
    ec = srv.client("elasticache")
    ec.create_cache_cluster(CacheClusterId="disco", Engine="memcached", CacheNodeType="cache.t4g.small",
                            NumCacheNodes=2)
    srv.advance(10)
    cluster = ec.describe_cache_clusters(CacheClusterId="disco", ShowCacheNodeInfo=True)["CacheClusters"][0]
    assert cluster["CacheClusterStatus"] == "available"
    config = cluster["ConfigurationEndpoint"]
    nodes = [n["Endpoint"] for n in cluster["CacheNodes"]]
    assert config["Port"] not in [n["Port"] for n in nodes]
    answer = config_get_cluster(config["Address"], config["Port"])
    header, rest = answer.split("\r\n", 1)
    version, listed, tail = rest.split("\n", 2)
    assert tail == "\r\nEND\r\n"  # AWS's layout: the body, a blank line, END
    body = f"{version}\n{listed}\n"
    assert header == f"CONFIG cluster 0 {len(body)}" and version == "1"
    assert listed.split(" ") == [f"{n['Address']}|{n['Address']}|{n['Port']}" for n in nodes]
    legacy = config_get_cluster(config["Address"], config["Port"], b"get AmazonElastiCache:cluster\r\n")
    assert legacy.startswith(f"VALUE AmazonElastiCache:cluster 0 {len(body)}\r\n")

    # Other commands go to a node.
    through = pymemcache.client.base.Client((config["Address"], config["Port"]), timeout=5)
    through.set("k", b"via the configuration endpoint")
    assert through.get("k") == b"via the configuration endpoint"
    through.close()
    first = pymemcache.client.base.Client((nodes[0]["Address"], nodes[0]["Port"]), timeout=5)
    assert first.get("k") == b"via the configuration endpoint"
    first.close()

    # The clock move settles a modification and makes the node pass that starts or stops the
    # node due; discovery lists what runs, so on a loaded machine the change may land a moment
    # after the move (clients poll `config get cluster`): the version and list once it has.
    def discovered(version):
        deadline = time.monotonic() + 10
        while True:
            answer = config_get_cluster(config["Address"], config["Port"])
            current, listed = answer.split("\r\n", 1)[1].split("\n", 2)[:2]
            if current == version or time.monotonic() > deadline:
                return current, listed
            time.sleep(0.1)

    ec.modify_cache_cluster(CacheClusterId="disco", NumCacheNodes=3, ApplyImmediately=True)
    # A third node, with no read of the cluster in between.
    srv.advance(600)
    version, listed = discovered("2")
    assert version == "2" and len(listed.split(" ")) == 3

    # Removing a named node stops its process and takes it out of the list.
    third = ec.describe_cache_clusters(CacheClusterId="disco", ShowCacheNodeInfo=True)["CacheClusters"][0]
    removed = next(n for n in third["CacheNodes"] if n["CacheNodeId"] == "0002")["Endpoint"]
    ec.modify_cache_cluster(CacheClusterId="disco", NumCacheNodes=2, CacheNodeIdsToRemove=["0002"],
                            ApplyImmediately=True)
    srv.advance(600)
    version, listed = discovered("3")
    assert version == "3" and f"|{removed['Port']}" not in listed and len(listed.split(" ")) == 2
    assert refused(removed["Address"], removed["Port"])

    ec.delete_cache_cluster(CacheClusterId="disco")
    srv.advance(600)
    assert refused(config["Address"], config["Port"])


def test_a_server_restart_keeps_the_nodes_and_their_data(fresh_server):
    ports = free_port_block()
    srv = fresh_server(nodes="real", args=("--node-ports", ports))
    ec = srv.client("elasticache")
    ec.create_cache_cluster(CacheClusterId="durable", Engine="redis", CacheNodeType="cache.t4g.small")
    ec.create_replication_group(ReplicationGroupId="kept", ReplicationGroupDescription="kept", Engine="valkey",
                                CacheNodeType="cache.t4g.small", NumCacheClusters=2, TransitEncryptionEnabled=True)
    srv.advance(10)
    srv.advance(10)
    _, address = endpoint(ec, "durable")
    redis.Redis(host=address["Address"], port=address["Port"], socket_timeout=5).set("survives", "a restart")
    primary = ec.describe_replication_groups(ReplicationGroupId="kept")["ReplicationGroups"][0]["NodeGroups"][0][
        "PrimaryEndpoint"]
    redis.Redis(host=primary["Address"], port=primary["Port"], socket_timeout=5, **srv.tls).set("group", "too")

    # SIGTERM: the nodes write their data into their directories as they stop...
    srv.stop()
    assert refused(address["Address"], address["Port"]) and refused(primary["Address"], primary["Port"])
    # ...and come back with it, on the same ports, when the server starts again.
    again = Server(srv.data_dir, nodes="real", args=("--node-ports", ports))
    try:
        again.advance(0)
        ec = again.client("elasticache")
        assert endpoint(ec, "durable") == ("available", address)
        assert redis.Redis(host=address["Address"], port=address["Port"], socket_timeout=5).get("survives") == b"a restart"
        # The same CA still vouches for the group's TLS endpoint.
        assert redis.Redis(host=primary["Address"], port=primary["Port"], socket_timeout=5,
                           **again.tls).get("group") == b"too"
        # A reboot still starts the node empty, as on AWS.
        ec.reboot_cache_cluster(CacheClusterId="durable", CacheNodeIdsToReboot=["0001"])
        again.advance(10)
        assert redis.Redis(host=address["Address"], port=address["Port"], socket_timeout=5).get("survives") is None
    finally:
        again.stop()


def test_snapshots_save_the_nodes_data_and_restores_start_with_it(with_nodes):
    srv = with_nodes
    ec = srv.client("elasticache")
    ec.create_cache_cluster(CacheClusterId="origin", Engine="redis", CacheNodeType="cache.t4g.small")
    srv.advance(10)
    _, address = endpoint(ec, "origin")
    source = redis.Redis(host=address["Address"], port=address["Port"], socket_timeout=5)
    for n in range(50):
        source.set(f"invoice:{n}", f"amount {n}")
    ec.create_snapshot(CacheClusterId="origin", SnapshotName="ledger")
    srv.advance(10)
    assert ec.describe_snapshots(SnapshotName="ledger")["Snapshots"][0]["SnapshotStatus"] == "available"
    source.set("invoice:late", "after the snapshot")

    # A cluster and a replication group restored from it start with its keys, and only those.
    ec.create_cache_cluster(CacheClusterId="restored", SnapshotName="ledger", CacheNodeType="cache.t4g.small")
    ec.create_replication_group(ReplicationGroupId="restored-group", ReplicationGroupDescription="from ledger",
                                SnapshotName="ledger", NumCacheClusters=2, CacheNodeType="cache.t4g.small")
    srv.advance(10)
    srv.advance(10)
    _, copy = endpoint(ec, "restored")
    restored = redis.Redis(host=copy["Address"], port=copy["Port"], socket_timeout=5)
    assert restored.dbsize() == 50 and restored.get("invoice:7") == b"amount 7"
    assert restored.get("invoice:late") is None
    primary = ec.describe_replication_groups(ReplicationGroupId="restored-group")["ReplicationGroups"][0][
        "NodeGroups"][0]["PrimaryEndpoint"]
    assert redis.Redis(host=primary["Address"], port=primary["Port"], socket_timeout=5).get("invoice:49") \
        == b"amount 49"

    # An export to a bucket is that RDB file; a copy shares the data.
    s3 = srv.client("s3")
    s3.create_bucket(Bucket="rdb-exports")
    srv.let_elasticache_export_to("rdb-exports")
    ec.copy_snapshot(SourceSnapshotName="ledger", TargetSnapshotName="ledger-copy")
    srv.advance(10)
    ec.copy_snapshot(SourceSnapshotName="ledger-copy", TargetSnapshotName="exported", TargetBucket="rdb-exports")
    body = s3.get_object(Bucket="rdb-exports", Key="exported-0001.rdb")["Body"].read()
    assert body.startswith(b"REDIS") and b"invoice:7" in body and b"invoice:late" not in body

