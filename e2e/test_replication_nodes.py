"""Replication groups without cluster mode on real nodes: a redis-server per member wired with
REPLICAOF, primary and reader endpoints that cachetrail serves as proxies, failovers (TestFailover
and a primary process that dies) that promote a replica for real and write AWS's events."""

import json
import os
import shutil
import signal
import socket
import time

import pytest
import pymemcache.client.base
import redis
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.retry import Retry

from conftest import Server
from nodes import free_port_block, node_pid, refused

pytestmark = pytest.mark.skipif(
    not shutil.which("redis-server"), reason="needs redis-server (the README's test command installs it)"
)

TOKEN = "group-token-0123456789"


def group(ec, group_id):
    return ec.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]


def eventually(check, seconds=10):
    """`check()`'s first truthy answer; replication reaches a replica within a second or two."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            answer = check()
            if answer:
                return answer
        except redis.exceptions.ConnectionError:
            pass
        assert time.monotonic() < deadline, "not within %s s" % seconds
        time.sleep(0.1)


def once(**arguments):
    """A client that tries once: redis-py retries a refused sign-in three times, with backoff."""
    return redis.Redis(socket_timeout=5, retry=Retry(NoBackoff(), 0), **arguments)


def client(endpoint):
    return redis.Redis(host=endpoint["Address"], port=endpoint["Port"], password=TOKEN, socket_timeout=5)


def role(endpoint):
    return client(endpoint).info("replication")["role"]


def roles(ec, group_id):
    members = group(ec, group_id)["NodeGroups"][0]["NodeGroupMembers"]
    return {m["CacheClusterId"]: (m["CurrentRole"], m["ReadEndpoint"]) for m in members}


def failover_messages(ec, group_id):
    events = ec.describe_events(Duration=60)["Events"]
    return [(e["SourceIdentifier"], e["Message"]) for e in sorted(events, key=lambda e: e["Date"])
            if "ailover" in e["Message"] or e["Message"].startswith(("Recovering", "Finished recovery"))]


def test_a_replication_group_replicates_and_fails_over_for_real(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    ec.create_replication_group(
        ReplicationGroupId="orders", ReplicationGroupDescription="two real nodes", Engine="redis",
        CacheNodeType="cache.t4g.small", NumCacheClusters=2, AutomaticFailoverEnabled=True,
        TransitEncryptionEnabled=True, AuthToken=TOKEN)
    srv.advance(10)
    srv.advance(10)
    described = group(ec, "orders")
    assert described["Status"] == "available"
    node_group = described["NodeGroups"][0]
    primary, reader = node_group["PrimaryEndpoint"], node_group["ReaderEndpoint"]
    assert primary["Address"] == reader["Address"] == "127.0.0.1" and primary["Port"] != reader["Port"]
    before = roles(ec, "orders")
    first_primary = next(i for i, (r, _) in before.items() if r == "primary")
    replica = next(i for i, (r, _) in before.items() if r == "replica")

    # Writes on the primary endpoint reach the replica behind the reader endpoint.
    client(primary).set("order:1", "paid")
    assert eventually(lambda: client(reader).get("order:1")) == b"paid"
    assert role(primary) == "master" and role(reader) == "slave"
    with pytest.raises(redis.exceptions.ReadOnlyError):
        client(reader).set("order:2", "refused on a replica")
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(host=primary["Address"], port=primary["Port"], password="wrong-token-0123456789",
                    socket_timeout=5).ping()

    # TestFailover promotes the replica: the primary endpoint now writes to it, the old primary
    # replicates from it, and ElastiCache's events say so in AWS's order.
    ec.test_failover(ReplicationGroupId="orders", NodeGroupId="0001")
    srv.advance(0)
    after = roles(ec, "orders")
    assert after[replica][0] == "primary" and after[first_primary][0] == "replica"
    assert eventually(lambda: role(primary) == "master" and client(primary).set("order:3", "after failover"))
    assert role(after[replica][1]) == "master"
    assert eventually(lambda: role(after[first_primary][1]) == "slave")
    assert eventually(lambda: client(after[first_primary][1]).get("order:3")) == b"after failover"
    assert client(primary).get("order:1") == b"paid"
    completed = f"Failover from primary node {first_primary} to replica node {replica} completed"
    assert failover_messages(ec, "orders") == [
        ("orders", "Test Failover API called for node group 0001"),
        (first_primary, completed), ("orders", completed),
        (first_primary, "Recovering cache nodes 0001"), (first_primary, "Finished recovery for cache nodes 0001"),
    ]

    # Multi-AZ: the primary's process dies; a supervision pass promotes the replica without a
    # call, and the dead node comes back as its replica.
    os.kill(node_pid(srv, after[replica][1]["Port"]), signal.SIGKILL)
    srv.advance(0)
    final = roles(ec, "orders")
    assert final[first_primary][0] == "primary" and final[replica][0] == "replica"
    assert eventually(lambda: client(primary).set("order:4", "after a crash"))
    assert eventually(lambda: role(final[replica][1]) == "slave")
    assert eventually(lambda: client(reader).get("order:4")) == b"after a crash"
    assert (replica, f"Failover from primary node {replica} to replica node {first_primary} completed") \
        in failover_messages(ec, "orders")

    ec.delete_replication_group(ReplicationGroupId="orders")
    srv.advance(600)
    srv.advance(600)
    for endpoint in (primary, reader, final[first_primary][1], final[replica][1]):
        assert refused(endpoint["Address"], endpoint["Port"])


def test_auth_tokens_of_a_group_rotate_on_every_member(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    ec.create_replication_group(
        ReplicationGroupId="tokens", ReplicationGroupDescription="rotation", Engine="valkey",
        CacheNodeType="cache.t4g.small", NumCacheClusters=2, TransitEncryptionEnabled=True, AuthToken=TOKEN)
    srv.advance(10)
    srv.advance(10)
    node_group = group(ec, "tokens")["NodeGroups"][0]
    client(node_group["PrimaryEndpoint"]).set("k", "v")
    assert eventually(lambda: client(node_group["ReaderEndpoint"]).get("k")) == b"v"
    newer = "newer-token-0123456789"
    ec.modify_replication_group(ReplicationGroupId="tokens", AuthToken=newer, AuthTokenUpdateStrategy="SET",
                                ApplyImmediately=True)
    srv.advance(10)
    for endpoint in (node_group["PrimaryEndpoint"], node_group["ReaderEndpoint"]):
        assert redis.Redis(host=endpoint["Address"], port=endpoint["Port"], password=newer,
                           socket_timeout=5).get("k") == b"v"
        with pytest.raises(redis.exceptions.AuthenticationError):
            client(endpoint).ping()
    # The replica still follows its primary with the new token.
    redis.Redis(host=node_group["PrimaryEndpoint"]["Address"], port=node_group["PrimaryEndpoint"]["Port"],
                password=newer, socket_timeout=5).set("k", "v2")
    assert eventually(lambda: redis.Redis(
        host=node_group["ReaderEndpoint"]["Address"], port=node_group["ReaderEndpoint"]["Port"], password=newer,
        socket_timeout=5).get("k") == b"v2")


def until_available(srv, ec, group_id, seconds=120):
    """Moves the clock until the group and every member are available: real nodes (a cluster's
    formation, a new replica's sync) take wall time too, more of it on a loaded machine, where
    one node pass can itself wait up to 10 s for gossip (in CI, once, a cluster-mode group whose
    replicas were just increased was not available within 60 s; locally it takes under 5)."""
    def available():
        srv.advance(600)
        described = group(ec, group_id)
        members = [m["CacheClusterId"] for g in described["NodeGroups"] for m in g["NodeGroupMembers"]]
        return described["Status"] == "available" and all(
            ec.describe_cache_clusters(CacheClusterId=m)["CacheClusters"][0]["CacheClusterStatus"] == "available"
            for m in members)
    try:
        return eventually(available, seconds)
    except AssertionError as error:
        # The server's own account of its node passes, for whoever reads the CI log.
        raise AssertionError(f"{error}; the server's log ends:\n{srv.output()[-6000:]}") from None


def member_endpoints(ec, node_group):
    return [ec.describe_cache_clusters(CacheClusterId=m["CacheClusterId"], ShowCacheNodeInfo=True)["CacheClusters"][0][
        "CacheNodes"][0]["Endpoint"] for m in node_group["NodeGroupMembers"]]


def shard_key_counts(ec, group_id):
    """Keys held by each shard's primary (the member that runs as master), by node group id.
    AWS shows no CurrentRole for members of a cluster-mode group: the nodes say."""
    counts = {}
    for node_group in group(ec, group_id)["NodeGroups"]:
        primaries = [e for e in member_endpoints(ec, node_group) if role(e) == "master"]
        assert len(primaries) == 1, node_group
        counts[node_group["NodeGroupId"]] = client(primaries[0]).dbsize()
    return counts


def two_shard_group_with_keys(srv, ec, group_id, engine, prefix):
    """A 2-shard x 1-replica cluster-mode group, available, holding keys prefix0..prefix99 (the
    values are their numbers); answers its configuration endpoint."""
    ec.create_replication_group(
        ReplicationGroupId=group_id, ReplicationGroupDescription="two shards", Engine=engine,
        CacheNodeType="cache.t4g.small", NumNodeGroups=2, ReplicasPerNodeGroup=1, AutomaticFailoverEnabled=True)
    until_available(srv, ec, group_id)
    config = group(ec, group_id)["ConfigurationEndpoint"]
    writer = eventually(lambda: RedisCluster(host=config["Address"], port=config["Port"], socket_timeout=5))
    for n in range(100):
        writer.set(f"{prefix}{n}", n)
    writer.close()
    return config


def test_cluster_mode_is_a_real_redis_cluster_that_reshards_with_its_keys(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block(40)))
    ec = srv.client("elasticache")
    ec.create_replication_group(
        ReplicationGroupId="sharded", ReplicationGroupDescription="two shards", Engine="redis",
        CacheNodeType="cache.t4g.small", NumNodeGroups=2, ReplicasPerNodeGroup=1, AutomaticFailoverEnabled=True,
        TransitEncryptionEnabled=True, AuthToken=TOKEN)
    until_available(srv, ec, "sharded")
    described = group(ec, "sharded")
    assert described["Status"] == "available" and described["ClusterEnabled"]
    config = described["ConfigurationEndpoint"]
    assert config["Address"] == "127.0.0.1"

    def cluster_client():
        return RedisCluster(host=config["Address"], port=config["Port"], password=TOKEN, socket_timeout=5)

    keys = {f"customer:{n}": str(n) for n in range(200)}
    writer = eventually(cluster_client)
    for key, value in keys.items():
        writer.set(key, value)
    writer.close()
    counts = shard_key_counts(ec, "sharded")
    assert sum(counts.values()) == 200 and all(counts.values()), counts
    # The slots the nodes serve are the ones ElastiCache describes.
    slots = sorted(client(config).cluster("slots"), key=lambda s: s[0])
    assert [f"{s[0]}-{s[1]}" for s in slots] == [g["Slots"] for g in described["NodeGroups"]]

    # Online resharding to three shards moves slots and their keys onto the new shard.
    ec.modify_replication_group_shard_configuration(ReplicationGroupId="sharded", NodeGroupCount=3,
                                                     ApplyImmediately=True)
    until_available(srv, ec, "sharded")
    counts = shard_key_counts(ec, "sharded")
    assert len(counts) == 3 and sum(counts.values()) == 200 and all(counts.values()), counts
    reader = cluster_client()
    assert all(reader.get(key) == value.encode() for key, value in keys.items())
    reader.close()
    # The node groups' Slots are where rebalancing put them: every slot exactly once.
    ranges = [r.split("-") for g in group(ec, "sharded")["NodeGroups"] for r in g["Slots"].split(",")]
    assert sorted(s for low, high in ranges for s in range(int(low), int(high) + 1)) == list(range(16384))

    # ...and back to two: the removed shard hands its keys over before it stops.
    ec.modify_replication_group_shard_configuration(ReplicationGroupId="sharded", NodeGroupCount=2,
                                                     NodeGroupsToRemove=["0003"], ApplyImmediately=True)
    until_available(srv, ec, "sharded")
    counts = shard_key_counts(ec, "sharded")
    assert sorted(counts) == ["0001", "0002"] and sum(counts.values()) == 200, counts
    reader = cluster_client()
    assert all(reader.get(key) == value.encode() for key, value in keys.items())
    reader.close()

    # TestFailover hands shard 0001 to its replica for real.
    shard = group(ec, "sharded")["NodeGroups"][0]
    replica = next(e for e in member_endpoints(ec, shard) if role(e) == "slave")
    ec.test_failover(ReplicationGroupId="sharded", NodeGroupId="0001")
    srv.advance(0)
    assert eventually(lambda: role(replica) == "master")
    reader = cluster_client()
    assert all(reader.get(key) == value.encode() for key, value in keys.items())
    reader.close()

    # A second replica per shard joins the cluster as a replica of its shard's primary.
    ec.increase_replica_count(ReplicationGroupId="sharded", NewReplicaCount=2, ApplyImmediately=True)
    until_available(srv, ec, "sharded")
    for node_group in group(ec, "sharded")["NodeGroups"]:
        endpoints = member_endpoints(ec, node_group)
        assert len(endpoints) == 3
        assert sorted(eventually(lambda: [role(e) for e in endpoints])) == ["master", "slave", "slave"]
    # ...and the cluster's own view says so once gossip has carried it.
    assert eventually(lambda: sorted(n["flags"].replace("myself,", "")
                                     for n in client(config).cluster("nodes").values())
                      == ["master"] * 2 + ["slave"] * 4)

    ec.delete_replication_group(ReplicationGroupId="sharded")
    srv.advance(600)
    srv.advance(600)
    assert refused(config["Address"], config["Port"])


def test_rbac_users_are_the_nodes_acl_users_kept_in_step(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    first, second = "app-password-0123456789", "app-password-9876543210"
    ec.create_user(UserId="app", UserName="app", Engine="redis", Passwords=[first],
                   AccessString="on ~app:* -@all +@read +@write")
    ec.create_user(UserId="locked-default", UserName="default", Engine="redis", NoPasswordRequired=True,
                   AccessString="off ~* +@all")
    ec.create_user_group(UserGroupId="apps", Engine="redis", UserIds=["app", "locked-default"])
    srv.advance(10)
    ec.create_replication_group(
        ReplicationGroupId="rbac", ReplicationGroupDescription="users", Engine="redis",
        CacheNodeType="cache.t4g.small", NumCacheClusters=2, TransitEncryptionEnabled=True, UserGroupIds=["apps"])
    srv.advance(10)
    srv.advance(10)
    node_group = group(ec, "rbac")["NodeGroups"][0]
    primary, reader = node_group["PrimaryEndpoint"], node_group["ReaderEndpoint"]

    def as_app(endpoint, password):
        return redis.Redis(host=endpoint["Address"], port=endpoint["Port"], username="app", password=password,
                           socket_timeout=5)

    as_app(primary, first).set("app:1", "allowed")
    assert eventually(lambda: as_app(reader, first).get("app:1")) == b"allowed"  # the replica has the users too
    with pytest.raises(redis.exceptions.NoPermissionError):
        as_app(primary, first).set("billing:1", "outside the key pattern")
    with pytest.raises(redis.exceptions.NoPermissionError):
        as_app(primary, first).config_get("maxmemory")
    with pytest.raises(redis.exceptions.AuthenticationError):
        as_app(primary, "wrong-password-0123456789").ping()
    # The group's `default` user is off: no command without signing in.
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(host=primary["Address"], port=primary["Port"], socket_timeout=5).get("app:1")
    # The server's own user is not one a client can guess into: no password of ours works for it.
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(host=primary["Address"], port=primary["Port"], username="cachetrail-supervisor",
                    password=first, socket_timeout=5).ping()

    # A new password applies live on every node; the old one stops working.
    ec.modify_user(UserId="app", Passwords=[second])
    srv.advance(10)
    assert as_app(primary, second).get("app:1") == b"allowed"
    assert as_app(reader, second).get("app:1") == b"allowed"
    with pytest.raises(redis.exceptions.AuthenticationError):
        as_app(primary, first).ping()
    # Taken out of the group, the user is gone from the nodes.
    ec.modify_user_group(UserGroupId="apps", UserIdsToRemove=["app"])
    srv.advance(10)
    srv.advance(10)
    with pytest.raises(redis.exceptions.AuthenticationError):
        as_app(primary, second).ping()


def test_replica_counts_change_the_running_replicas(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    ec.create_replication_group(
        ReplicationGroupId="grow", ReplicationGroupDescription="replicas", Engine="redis",
        CacheNodeType="cache.t4g.small", NumCacheClusters=1)
    srv.advance(10)
    srv.advance(10)
    node_group = group(ec, "grow")["NodeGroups"][0]
    primary = node_group["PrimaryEndpoint"]
    redis.Redis(host=primary["Address"], port=primary["Port"], socket_timeout=5).set("seed", "before the replicas")

    ec.increase_replica_count(ReplicationGroupId="grow", NewReplicaCount=2, ApplyImmediately=True)
    srv.advance(600)
    srv.advance(600)
    members = roles(ec, "grow")
    replicas = [endpoint for role_name, endpoint in members.values() if role_name == "replica"]
    assert len(replicas) == 2
    for replica in replicas:
        node = redis.Redis(host=replica["Address"], port=replica["Port"], socket_timeout=5)
        assert eventually(lambda: node.get("seed")) == b"before the replicas"
        assert node.info("replication")["role"] == "slave"

    ec.decrease_replica_count(ReplicationGroupId="grow", NewReplicaCount=1, ApplyImmediately=True)
    srv.advance(600)
    srv.advance(600)
    left = [endpoint for role_name, endpoint in roles(ec, "grow").values() if role_name == "replica"]
    assert len(left) == 1
    gone = [r for r in replicas if r not in left]
    assert len(gone) == 1 and refused(gone[0]["Address"], gone[0]["Port"])


def test_serverless_caches_are_real_too(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    ec.create_serverless_cache(ServerlessCacheName="sessions", Engine="valkey")
    ec.create_serverless_cache(ServerlessCacheName="pages", Engine="memcached")
    srv.advance(10)
    srv.advance(10)
    caches = {c["ServerlessCacheName"]: c for c in ec.describe_serverless_caches()["ServerlessCaches"]}
    assert {c["Status"] for c in caches.values()} == {"available"}
    valkey = caches["sessions"]
    assert valkey["Endpoint"]["Address"] == "127.0.0.1"
    # A serverless endpoint speaks cluster mode: a cluster client works through it.
    cluster = eventually(lambda: RedisCluster(host=valkey["Endpoint"]["Address"], port=valkey["Endpoint"]["Port"],
                                              socket_timeout=5))
    for n in range(20):
        cluster.set(f"session:{n}", n)
    assert cluster.get("session:7") == b"7"
    cluster.close()
    reader = valkey["ReaderEndpoint"]
    assert redis.Redis(host=reader["Address"], port=reader["Port"], socket_timeout=5).dbsize() == 20

    pages = caches["pages"]["Endpoint"]
    client = pymemcache.client.base.Client((pages["Address"], pages["Port"]), timeout=5)
    client.set("page:/", b"<html>")
    assert client.get("page:/") == b"<html>"
    client.close()

    ec.delete_serverless_cache(ServerlessCacheName="sessions")
    ec.delete_serverless_cache(ServerlessCacheName="pages")
    srv.advance(600)
    srv.advance(600)
    for endpoint in (valkey["Endpoint"], reader, pages):
        assert refused(endpoint["Address"], endpoint["Port"])


def test_a_cluster_mode_group_comes_back_whole_after_a_server_restart(fresh_server):
    ports = free_port_block(30)
    srv = fresh_server(nodes="real", args=("--node-ports", ports))
    config = two_shard_group_with_keys(srv, srv.client("elasticache"), "phoenix", "valkey", "k")
    srv.stop()
    again = Server(srv.data_dir, nodes="real", args=("--node-ports", ports))
    try:
        again.advance(0)
        described = again.client("elasticache").describe_replication_groups(ReplicationGroupId="phoenix")[
            "ReplicationGroups"][0]
        assert described["Status"] == "available" and described["ConfigurationEndpoint"] == config
        reader = eventually(lambda: RedisCluster(host=config["Address"], port=config["Port"], socket_timeout=5))
        assert eventually(lambda: all(reader.get(f"k{n}") == str(n).encode() for n in range(100)))
        reader.close()
    finally:
        again.stop()


def test_a_serverless_caches_user_group_and_storage_limit_reach_its_node(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    password = "serverless-password-0123"
    ec.create_user(UserId="ops", UserName="ops", Engine="valkey", Passwords=[password], AccessString="on ~* +@all")
    ec.create_user(UserId="closed-default", UserName="default", Engine="valkey", NoPasswordRequired=True,
                   AccessString="off ~* +@all")
    ec.create_user_group(UserGroupId="serverless-users", Engine="valkey", UserIds=["ops", "closed-default"])
    srv.advance(10)
    ec.create_serverless_cache(ServerlessCacheName="limited", Engine="valkey", UserGroupId="serverless-users",
                               CacheUsageLimits={"DataStorage": {"Maximum": 1, "Unit": "GB"}})
    srv.advance(10)
    srv.advance(10)
    reader = ec.describe_serverless_caches(ServerlessCacheName="limited")["ServerlessCaches"][0]["ReaderEndpoint"]
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(host=reader["Address"], port=reader["Port"], socket_timeout=5).get("k")
    ops = redis.Redis(host=reader["Address"], port=reader["Port"], username="ops", password=password,
                      socket_timeout=5, decode_responses=True)
    assert ops.config_get("maxmemory") == {"maxmemory": str(1 << 30)}


def test_a_global_datastore_replicates_across_regions_and_fails_over(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    east = srv.client("elasticache", region="us-east-1")
    west = srv.client("elasticache", region="us-west-2")
    east.create_replication_group(ReplicationGroupId="shop", ReplicationGroupDescription="primary region",
                                  Engine="redis", CacheNodeType="cache.r6g.large", NumCacheClusters=1)
    srv.advance(10)
    srv.advance(10)
    gid = east.create_global_replication_group(GlobalReplicationGroupIdSuffix="shop",
                                               PrimaryReplicationGroupId="shop")["GlobalReplicationGroup"][
        "GlobalReplicationGroupId"]
    srv.advance(10)
    west.create_replication_group(ReplicationGroupId="shop-west", ReplicationGroupDescription="secondary region",
                                  GlobalReplicationGroupId=gid, NumCacheClusters=1)
    srv.advance(10)
    srv.advance(10)

    def endpoint_of(client, group_id):
        return group(client, group_id)["NodeGroups"][0]["PrimaryEndpoint"]

    def node(endpoint):
        return redis.Redis(host=endpoint["Address"], port=endpoint["Port"], socket_timeout=5)

    east_primary, west_primary = endpoint_of(east, "shop"), endpoint_of(west, "shop-west")
    node(east_primary).set("cart:1", "three items")
    assert eventually(lambda: node(west_primary).get("cart:1")) == b"three items"
    with pytest.raises(redis.exceptions.ReadOnlyError):
        node(west_primary).set("cart:2", "a secondary region is read-only")

    # Failing the global datastore over makes the west group the writable one.
    east.failover_global_replication_group(GlobalReplicationGroupId=gid, PrimaryRegion="us-west-2",
                                           PrimaryReplicationGroupId="shop-west")
    srv.advance(10)
    assert group(west, "shop-west")["GlobalReplicationGroupInfo"]["GlobalReplicationGroupMemberRole"] == "primary"
    assert eventually(lambda: node(west_primary).set("cart:3", "written in the west"))
    assert eventually(lambda: node(east_primary).get("cart:3")) == b"written in the west"
    with pytest.raises(redis.exceptions.ReadOnlyError):
        node(east_primary).set("cart:4", "east is a secondary now")


def test_a_cluster_mode_snapshot_saves_every_shard_and_restores_into_as_many(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block(30)))
    ec = srv.client("elasticache")
    two_shard_group_with_keys(srv, ec, "orders", "redis", "order:")
    ec.create_snapshot(ReplicationGroupId="orders", SnapshotName="orders-nightly")
    srv.advance(10)
    assert ec.describe_snapshots(SnapshotName="orders-nightly")["Snapshots"][0]["SnapshotStatus"] == "available"

    ec.create_replication_group(
        ReplicationGroupId="orders-copy", ReplicationGroupDescription="restored", SnapshotName="orders-nightly",
        NumNodeGroups=2, ReplicasPerNodeGroup=1, AutomaticFailoverEnabled=True, CacheNodeType="cache.t4g.small")
    until_available(srv, ec, "orders-copy")
    restored = group(ec, "orders-copy")
    assert restored["Status"] == "available"
    endpoint = restored["ConfigurationEndpoint"]
    reader = eventually(lambda: RedisCluster(host=endpoint["Address"], port=endpoint["Port"], socket_timeout=5))
    assert all(reader.get(f"order:{n}") == str(n).encode() for n in range(100))
    reader.close()

    # The export is one RDB per shard.
    s3 = srv.client("s3")
    s3.create_bucket(Bucket="shard-exports")
    s3.put_bucket_policy(Bucket="shard-exports", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "elasticache.amazonaws.com"}, "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::shard-exports/*"}]}))
    ec.copy_snapshot(SourceSnapshotName="orders-nightly", TargetSnapshotName="orders-export",
                     TargetBucket="shard-exports")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="shard-exports")["Contents"])
    assert keys == ["orders-export-0001.rdb", "orders-export-0002.rdb"]
    bodies = [s3.get_object(Bucket="shard-exports", Key=k)["Body"].read() for k in keys]
    assert all(b.startswith(b"REDIS") and b"order:" in b for b in bodies)


def test_a_cluster_mode_snapshot_restores_into_another_shard_count(fresh_server):
    """The restored cluster imports the snapshot's keys (redis-cli --cluster import) into its
    own slots: three shards from a two-shard snapshot, and cluster mode from a snapshot without."""
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block(40)))
    ec = srv.client("elasticache")
    two_shard_group_with_keys(srv, ec, "ledger", "redis", "entry:")
    ec.create_snapshot(ReplicationGroupId="ledger", SnapshotName="ledger-nightly")
    srv.advance(10)
    assert ec.describe_snapshots(SnapshotName="ledger-nightly")["Snapshots"][0]["SnapshotStatus"] == "available"

    ec.create_replication_group(
        ReplicationGroupId="ledger-wide", ReplicationGroupDescription="restored wider", SnapshotName="ledger-nightly",
        NumNodeGroups=3, ReplicasPerNodeGroup=0, CacheNodeType="cache.t4g.small")
    until_available(srv, ec, "ledger-wide")
    restored = group(ec, "ledger-wide")
    assert len(restored["NodeGroups"]) == 3
    endpoint = restored["ConfigurationEndpoint"]
    reader = eventually(lambda: RedisCluster(host=endpoint["Address"], port=endpoint["Port"], socket_timeout=5))
    assert all(reader.get(f"entry:{n}") == str(n).encode() for n in range(100))
    # Every shard holds some of them: the keys went to the slots' new owners.
    counts = [sum(1 for _ in reader.scan_iter(match="entry:*", target_nodes=node))
              for node in reader.get_primaries()]
    assert len(counts) == 3 and all(counts) and sum(counts) == 100
    reader.close()


def iam_auth_token(group_id, user, key_id, secret, region="us-east-1", token=None, serverless=False):
    """An ElastiCache IAM auth token as AWS's documentation builds one: a SigV4-presigned GET of
    http://<cache>/?Action=connect&User=<user>, without its scheme."""
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials

    request = botocore.awsrequest.AWSRequest(
        method="GET", url=f"http://{group_id}/",
        params={"Action": "connect", "User": user, **({"ResourceType": "ServerlessCache"} if serverless else {})})
    botocore.auth.SigV4QueryAuth(
        botocore.credentials.Credentials(key_id, secret, token), "elasticache", region, expires=900).add_auth(request)
    return request.prepare().url.removeprefix("http://")


def iam_user_group(srv, ec, group_id, user_id, default_id, engine):
    """A user group of an IAM-authenticated user and a `default` user that is switched off."""
    ec.create_user(UserId=user_id, UserName=user_id, Engine=engine, AuthenticationMode={"Type": "iam"},
                   AccessString="on ~* +@all")
    ec.create_user(UserId=default_id, UserName="default", Engine=engine, NoPasswordRequired=True,
                   AccessString="off ~* +@all")
    ec.create_user_group(UserGroupId=group_id, Engine=engine, UserIds=[user_id, default_id])
    srv.advance(10)


def test_iam_authenticated_users_sign_in_with_iam_auth_tokens(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec, iam = srv.client("elasticache"), srv.client("iam")
    iam_user_group(srv, ec, "iam-users", "reporting", "locked-default", "redis")
    ec.create_replication_group(
        ReplicationGroupId="iam-auth", ReplicationGroupDescription="IAM authentication", Engine="redis",
        CacheNodeType="cache.t4g.small", NumCacheClusters=1, TransitEncryptionEnabled=True,
        UserGroupIds=["iam-users"])
    until_available(srv, ec, "iam-auth")
    primary = group(ec, "iam-auth")["NodeGroups"][0]["PrimaryEndpoint"]

    def signed_in(password):
        return once(host=primary["Address"], port=primary["Port"], username="reporting", password=password)

    key_id, secret = srv.profile()
    token = iam_auth_token("iam-auth", "reporting", key_id, secret)
    assert eventually(lambda: signed_in(token).set("report:1", "signed in with IAM"))
    assert signed_in(token).get("report:1") == b"signed in with IAM"
    # So does the member's node endpoint (a gate in front of the node), not only the group's.
    node = member_endpoints(ec, group(ec, "iam-auth")["NodeGroups"][0])[0]
    assert node["Port"] != primary["Port"]
    assert once(host=node["Address"], port=node["Port"], username="reporting", password=token).get(
        "report:1") == b"signed in with IAM"
    with pytest.raises(redis.exceptions.AuthenticationError):
        once(host=node["Address"], port=node["Port"], username="reporting", password="a-guessed-password").ping()
    # RESP3's HELLO … AUTH signs in the same way.
    hello = redis.Redis(host=primary["Address"], port=primary["Port"], username="reporting", password=token,
                        protocol=3, socket_timeout=5)
    assert hello.get("report:1") == b"signed in with IAM"

    # A tampered token, one for another user or group, or a guessed password: the engine's error.
    tampered = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
    for wrong in (tampered, iam_auth_token("iam-auth", "someone-else", key_id, secret),
                  iam_auth_token("other-group", "reporting", key_id, secret), "a-guessed-password"):
        with pytest.raises(redis.exceptions.AuthenticationError):
            signed_in(wrong).ping()

    # An IAM user needs elasticache:Connect on the group and the user.
    iam.create_user(UserName="analyst")
    analyst = iam.create_access_key(UserName="analyst")["AccessKey"]
    as_analyst = iam_auth_token("iam-auth", "reporting", analyst["AccessKeyId"], analyst["SecretAccessKey"])
    with pytest.raises(redis.exceptions.AuthenticationError):
        signed_in(as_analyst).ping()
    iam.put_user_policy(UserName="analyst", PolicyName="connect", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "elasticache:Connect", "Resource": [
            "arn:aws:elasticache:us-east-1:000000000000:replicationgroup:iam-auth",
            "arn:aws:elasticache:us-east-1:000000000000:user:reporting"]}]}))
    assert signed_in(as_analyst).get("report:1") == b"signed in with IAM"


def test_iam_auth_tokens_sign_in_at_every_node_of_a_cluster_mode_group(fresh_server):
    """A cluster client signs in at the configuration endpoint, then at each node CLUSTER SLOTS
    names: with IAM users, every node announces a port cachetrail serves behind the same gate."""
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block(40)))
    ec = srv.client("elasticache")
    iam_user_group(srv, ec, "iam-shards", "shard-writer", "shard-default-off", "redis")
    ec.create_replication_group(
        ReplicationGroupId="iam-sharded", ReplicationGroupDescription="IAM in cluster mode", Engine="redis",
        CacheNodeType="cache.t4g.small", NumNodeGroups=2, ReplicasPerNodeGroup=1, AutomaticFailoverEnabled=True,
        TransitEncryptionEnabled=True, UserGroupIds=["iam-shards"])
    until_available(srv, ec, "iam-sharded")
    config = group(ec, "iam-sharded")["ConfigurationEndpoint"]
    key_id, secret = srv.profile()
    token = iam_auth_token("iam-sharded", "shard-writer", key_id, secret)

    cluster = eventually(lambda: RedisCluster(host=config["Address"], port=config["Port"], username="shard-writer",
                                              password=token, socket_timeout=5))
    for n in range(100):
        cluster.set(f"order:{n}", n)
    assert all(cluster.get(f"order:{n}") == str(n).encode() for n in range(100))
    cluster.close()

    # The nodes CLUSTER SLOTS names are the members' described node endpoints, and each takes
    # the token (and refuses a wrong one with the engine's error), not a password-less client.
    signed_in = redis.Redis(host=config["Address"], port=config["Port"], username="shard-writer", password=token,
                            socket_timeout=5)

    def named_nodes():
        """Replicas are named once they have synced with their primary (through its gate)."""
        named = {node[1] for slot in signed_in.execute_command("CLUSTER", "SLOTS") for node in slot[2:]}
        return named if len(named) == 4 else None

    named = eventually(named_nodes, seconds=30)
    described = {endpoint["Port"] for node_group in group(ec, "iam-sharded")["NodeGroups"]
                 for endpoint in member_endpoints(ec, node_group)}
    assert named == described
    for port in named:
        node = redis.Redis(host=config["Address"], port=port, username="shard-writer", password=token,
                           socket_timeout=5)
        assert node.execute_command("CLUSTER", "MYID")
        with pytest.raises(redis.exceptions.AuthenticationError):
            once(host=config["Address"], port=port, username="shard-writer", password=token[:-4] + "0000").ping()
        with pytest.raises((redis.exceptions.AuthenticationError, redis.exceptions.ResponseError)):
            once(host=config["Address"], port=port).get("order:1")

    # Without IAM users the nodes announce their own ports again (live), and the gates close.
    ec.modify_replication_group(ReplicationGroupId="iam-sharded", UserGroupIdsToRemove=["iam-shards"],
                                ApplyImmediately=True)
    until_available(srv, ec, "iam-sharded")
    plain = once(host=config["Address"], port=config["Port"])

    def renamed():
        ports = {node[1] for slot in plain.execute_command("CLUSTER", "SLOTS") for node in slot[2:]}
        return ports if len(ports) == 4 and not ports & named else None

    own = eventually(renamed, seconds=30)
    assert own == {endpoint["Port"] for node_group in group(ec, "iam-sharded")["NodeGroups"]
                   for endpoint in member_endpoints(ec, node_group)}
    assert all(refused(config["Address"], port) for port in named)
    assert RedisCluster(host=config["Address"], port=config["Port"], socket_timeout=5).get("order:7") == b"7"


def resp(*words):
    return b"".join([f"*{len(words)}\r\n".encode()] + [f"${len(w)}\r\n{w}\r\n".encode() for w in words])


def replies(stream, count):
    """The next `count` one-line replies (+OK, -ERR …, :1, $-1) or bulk replies' texts read from
    `stream` (a socket's makefile("rb"))."""
    answers = []
    while len(answers) < count:
        line = stream.readline()
        if not line:
            raise ConnectionError("closed")
        if line.startswith(b"$") and not line.startswith(b"$-1"):
            answers.append(stream.read(int(line[1:]) + 2)[:-2].decode())
        else:
            answers.append(line.rstrip(b"\r\n").decode())
    return answers


def test_iam_sign_ins_last_twelve_hours_and_are_renewed_on_the_same_connection(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    iam_user_group(srv, ec, "renewing", "worker", "off-default", "redis")
    ec.create_replication_group(
        ReplicationGroupId="renew", ReplicationGroupDescription="re-AUTH", Engine="redis",
        CacheNodeType="cache.t4g.small", NumCacheClusters=1, TransitEncryptionEnabled=True, UserGroupIds=["renewing"])
    until_available(srv, ec, "renew")
    primary = group(ec, "renew")["NodeGroups"][0]["PrimaryEndpoint"]
    key_id, secret = srv.profile()
    token = iam_auth_token("renew", "worker", key_id, secret)
    sock = eventually(lambda: socket.create_connection((primary["Address"], primary["Port"]), timeout=5))
    stream = sock.makefile("rb")
    try:
        # Pipelined: a command before the sign-in is refused by the node (nobody is signed in
        # yet), the sign-in and the commands after it are answered in order.
        sock.sendall(resp("GET", "k") + resp("AUTH", "worker", token) + resp("SET", "k", "one") + resp("GET", "k"))
        assert replies(stream, 4)[1:] == ["+OK", "+OK", "one"]

        # Eleven hours later (the server's clock) a new token renews the sign-in; a wrong one is
        # refused in its place in the stream and leaves the connection signed in.
        srv.advance(11 * 3600)
        renewed = iam_auth_token("renew", "worker", key_id, secret)
        sock.sendall(resp("AUTH", "worker", renewed) + resp("GET", "k") + resp("AUTH", "worker", renewed[:-4] + "0000")
                     + resp("INCR", "n"))
        answers = replies(stream, 4)
        assert answers[:2] == ["+OK", "one"]
        assert answers[2].startswith("-WRONGPASS") and answers[3] == ":1"

        # Twelve hours after the renewal the connection is closed at its next command.
        srv.advance(12 * 3600 - 60)
        sock.sendall(resp("PING"))
        assert replies(stream, 1) == ["+PONG"]
        srv.advance(60)
        sock.sendall(resp("PING"))
        with pytest.raises((ConnectionError, OSError)):
            replies(stream, 1)
    finally:
        stream.close()
        sock.close()


def test_serverless_snapshots_save_the_caches_data_and_restore_it(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    ec.create_serverless_cache(ServerlessCacheName="carts", Engine="valkey")
    srv.advance(10)
    srv.advance(10)
    endpoint = ec.describe_serverless_caches(ServerlessCacheName="carts")["ServerlessCaches"][0]["Endpoint"]
    cluster = eventually(lambda: RedisCluster(host=endpoint["Address"], port=endpoint["Port"], socket_timeout=5))
    for n in range(50):
        cluster.set(f"cart:{n}", f"items {n}")
    cluster.close()

    snapshot = ec.create_serverless_cache_snapshot(
        ServerlessCacheName="carts", ServerlessCacheSnapshotName="carts-nightly")["ServerlessCacheSnapshot"]
    assert snapshot["Status"] == "creating"
    srv.advance(10)
    assert ec.describe_serverless_cache_snapshots(ServerlessCacheSnapshotName="carts-nightly")[
        "ServerlessCacheSnapshots"][0]["Status"] == "available"

    # The export is the node's RDB, keys and all.
    s3 = srv.client("s3")
    s3.create_bucket(Bucket="cart-exports")
    s3.put_bucket_policy(Bucket="cart-exports", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "elasticache.amazonaws.com"}, "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::cart-exports/*"}]}))
    ec.export_serverless_cache_snapshot(ServerlessCacheSnapshotName="carts-nightly", S3BucketName="cart-exports")
    body = s3.get_object(Bucket="cart-exports", Key="carts-nightly.rdb")["Body"].read()
    assert body.startswith(b"REDIS") and b"cart:7" in body

    # A new cache restored from it (through a copy, which shares the data) has every key.
    ec.copy_serverless_cache_snapshot(
        SourceServerlessCacheSnapshotName="carts-nightly", TargetServerlessCacheSnapshotName="carts-copy")
    srv.advance(10)
    copy_arn = ec.describe_serverless_cache_snapshots(ServerlessCacheSnapshotName="carts-copy")[
        "ServerlessCacheSnapshots"][0]["ARN"]
    ec.create_serverless_cache(ServerlessCacheName="carts-restored", Engine="valkey", SnapshotArnsToRestore=[copy_arn])

    def restored():
        srv.advance(10)
        cache = ec.describe_serverless_caches(ServerlessCacheName="carts-restored")["ServerlessCaches"][0]
        return cache if cache["Status"] == "available" else None

    cache = eventually(restored, seconds=60)
    reader = eventually(lambda: RedisCluster(host=cache["Endpoint"]["Address"], port=cache["Endpoint"]["Port"],
                                             socket_timeout=5))
    assert all(reader.get(f"cart:{n}") == f"items {n}".encode() for n in range(50))
    reader.close()


def answered(sock, reply, quiet=1.0):
    """How many `reply`s the connection has answered so far, once nothing has come for `quiet` seconds."""
    received = answered.received.setdefault(sock, bytearray())
    sock.settimeout(quiet)
    while True:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            return received.count(reply)
        assert chunk, "the endpoint closed the connection"
        received.extend(chunk)


answered.received = {}


def metered_serverless_cache(fresh_server, name, engine):
    """A running serverless cache of at most 1,000 ECPUs per second: its server, client and endpoint."""
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    ec.create_serverless_cache(ServerlessCacheName=name, Engine=engine,
                               CacheUsageLimits={"ECPUPerSecond": {"Maximum": 1000}})
    srv.advance(10)
    srv.advance(10)
    return srv, ec, ec.describe_serverless_caches(ServerlessCacheName=name)["ServerlessCaches"][0]["Endpoint"]


def test_a_serverless_caches_ecpu_maximum_throttles_its_endpoint(fresh_server):
    srv, ec, endpoint = metered_serverless_cache(fresh_server, "metered", "valkey")
    reader = ec.describe_serverless_caches(ServerlessCacheName="metered")["ServerlessCaches"][0]["ReaderEndpoint"]
    # The cache names its endpoint as its only node, so cluster clients stay on the endpoint.
    client = redis.Redis(host=endpoint["Address"], port=endpoint["Port"], socket_timeout=5)
    slots = eventually(lambda: client.execute_command("CLUSTER", "SLOTS"))
    assert [(s[0], s[1], s[2][1]) for s in slots] == [(0, 16383, endpoint["Port"])]
    client.close()

    sock = socket.create_connection((endpoint["Address"], endpoint["Port"]), timeout=5)
    reads = socket.create_connection((reader["Address"], reader["Port"]), timeout=5)

    def pongs(quiet=1.0):
        return answered(sock, b"+PONG\r\n", quiet)

    try:
        # A second holds 1,000 ECPUs; a PING costs one, at either endpoint. 800 pass at the
        # reader endpoint; of 1,600 more at the endpoint, what the bucket still holds passes
        # (a read that finds ECPUs passes whole), and the rest waits for the server's clock.
        reads.sendall(resp("PING") * 800)
        assert answered(reads, b"+PONG\r\n") == 800
        sock.sendall(resp("PING") * 1600)
        held = pongs()
        assert 150 <= held < 1600, "requests beyond the maximum are held, not refused"
        assert pongs() == held
        refills = 0
        while pongs() < 1600 and refills < 4:
            srv.advance(1)
            refills += 1
        assert pongs() == 1600 and refills >= 1

        # Without an ECPU maximum the endpoint no longer throttles (a change applies live).
        sock.sendall(resp("PING") * 2400)
        assert pongs() < 4000
        ec.modify_serverless_cache(ServerlessCacheName="metered",
                                   CacheUsageLimits={"DataStorage": {"Maximum": 10, "Unit": "GB"}})
        assert eventually(lambda: pongs(0.2) == 4000, seconds=20)
    finally:
        sock.close()
        reads.close()


def test_a_memcached_serverless_cache_is_throttled_at_its_ecpu_maximum_too(fresh_server):
    srv, ec, endpoint = metered_serverless_cache(fresh_server, "fragments", "memcached")
    reader = ec.describe_serverless_caches(ServerlessCacheName="fragments")["ServerlessCaches"][0]["ReaderEndpoint"]
    assert reader["Port"] != endpoint["Port"]
    sock = eventually(lambda: socket.create_connection((endpoint["Address"], endpoint["Port"]), timeout=5))
    reads = eventually(lambda: socket.create_connection((reader["Address"], reader["Port"]), timeout=5))
    try:
        # A set and its data block are one command: 900 sets leave about 90 ECPUs. The reader
        # endpoint (the same node) draws on the same bucket: of 999 gets there, what is left
        # passes and the rest waits for the server's clock (a bucket of its own would pass all).
        sock.sendall(b"".join(f"set fragment:{n} 0 0 1\r\nx\r\n".encode() for n in range(900)))
        assert answered(sock, b"STORED\r\n") == 900
        reads.sendall(b"get fragment:1\r\n")
        assert answered(reads, b"VALUE fragment:1 0 1\r\nx\r\nEND\r\n") == 1
        reads.sendall(b"get absent\r\n" * 999)
        held = answered(reads, b"END\r\n")
        assert 2 <= held < 1000, "requests beyond the maximum are held"
        srv.advance(1)
        assert answered(reads, b"END\r\n") > held
        for _ in range(3):
            if answered(reads, b"END\r\n") < 1000:
                srv.advance(1)
        assert answered(reads, b"END\r\n") == 1000
    finally:
        sock.close()
        reads.close()


def test_iam_auth_tokens_sign_in_to_a_serverless_cache(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    iam_user_group(srv, ec, "iam-serverless", "reader", "closed-default", "valkey")
    ec.create_serverless_cache(ServerlessCacheName="feeds", Engine="valkey", UserGroupId="iam-serverless")
    srv.advance(10)
    srv.advance(10)
    endpoint = ec.describe_serverless_caches(ServerlessCacheName="feeds")["ServerlessCaches"][0]["Endpoint"]
    key_id, secret = srv.profile()

    def signed_in(token):
        return once(host=endpoint["Address"], port=endpoint["Port"], username="reader", password=token)

    token = iam_auth_token("feeds", "reader", key_id, secret, serverless=True)
    assert eventually(lambda: signed_in(token).set("feed:1", "via IAM"))
    assert signed_in(token).get("feed:1") == b"via IAM"
    # A token for a replication group (no ResourceType) does not sign in to a serverless cache.
    with pytest.raises(redis.exceptions.AuthenticationError):
        signed_in(iam_auth_token("feeds", "reader", key_id, secret)).ping()
