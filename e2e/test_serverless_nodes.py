"""Serverless caches on real nodes: a one-node Redis Cluster (Valkey/Redis OSS) or a memcached
behind endpoints cachetrail serves, their user groups, storage and ECPU maximums, snapshots."""

import shutil

import pytest
import redis
from redis.cluster import RedisCluster

from nodes import free_port_block, refused, eventually, resp, answered, once, memcached_speaks_tls_only

pytestmark = pytest.mark.skipif(
    not shutil.which("redis-server"), reason="needs redis-server (the README's test command installs it)"
)


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
                                              socket_timeout=5, **srv.tls))
    for n in range(20):
        cluster.set(f"session:{n}", n)
    assert cluster.get("session:7") == b"7"
    cluster.close()
    reader = valkey["ReaderEndpoint"]
    assert redis.Redis(host=reader["Address"], port=reader["Port"], socket_timeout=5, **srv.tls).dbsize() == 20
    # A serverless cache speaks TLS only, as on AWS: a plaintext client is dropped.
    with pytest.raises(redis.exceptions.ConnectionError):
        once(host=reader["Address"], port=reader["Port"]).ping()

    pages = caches["pages"]["Endpoint"]
    memcached_speaks_tls_only(srv, pages, "page:/", b"<html>")

    ec.delete_serverless_cache(ServerlessCacheName="sessions")
    ec.delete_serverless_cache(ServerlessCacheName="pages")
    srv.advance(600)
    srv.advance(600)
    for endpoint in (valkey["Endpoint"], reader, pages):
        assert refused(endpoint["Address"], endpoint["Port"])


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
        redis.Redis(host=reader["Address"], port=reader["Port"], socket_timeout=5, **srv.tls).get("k")
    ops = redis.Redis(host=reader["Address"], port=reader["Port"], username="ops", password=password,
                      socket_timeout=5, decode_responses=True, **srv.tls)
    assert ops.config_get("maxmemory") == {"maxmemory": str(1 << 30)}


def test_serverless_snapshots_save_the_caches_data_and_restore_it(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    ec.create_serverless_cache(ServerlessCacheName="carts", Engine="valkey")
    srv.advance(10)
    srv.advance(10)
    endpoint = ec.describe_serverless_caches(ServerlessCacheName="carts")["ServerlessCaches"][0]["Endpoint"]
    cluster = eventually(lambda: RedisCluster(host=endpoint["Address"], port=endpoint["Port"], socket_timeout=5,
                                              **srv.tls))
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
    srv.let_elasticache_export_to("cart-exports")
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
                                             socket_timeout=5, **srv.tls))
    assert all(reader.get(f"cart:{n}") == f"items {n}".encode() for n in range(50))
    reader.close()


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
    client = redis.Redis(host=endpoint["Address"], port=endpoint["Port"], socket_timeout=5, **srv.tls)
    slots = eventually(lambda: client.execute_command("CLUSTER", "SLOTS"))
    assert [(s[0], s[1], s[2][1]) for s in slots] == [(0, 16383, endpoint["Port"])]
    client.close()

    sock = srv.tls_socket(endpoint["Address"], endpoint["Port"])
    reads = srv.tls_socket(reader["Address"], reader["Port"])

    def pongs(quiet=1.0):
        return answered(sock, b"+PONG\r\n", quiet)

    try:
        # A second holds 1,000 ECPUs; a PING costs one, at either endpoint. 800 pass at the
        # reader endpoint; of 1,600 more at the endpoint, what the bucket still holds passes
        # (the meter looks at it every KB of requests), and the rest waits for the server's clock.
        reads.sendall(resp("PING") * 800)
        assert answered(reads, b"+PONG\r\n") == 800
        sock.sendall(resp("PING") * 1600)
        held = pongs()
        assert 150 <= held <= 400, "requests beyond the maximum are held, not refused"
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
    sock = eventually(lambda: srv.tls_socket(endpoint["Address"], endpoint["Port"]))
    reads = eventually(lambda: srv.tls_socket(reader["Address"], reader["Port"]))
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
        assert 2 <= held <= 300, "requests beyond the maximum are held"
        srv.advance(1)
        assert answered(reads, b"END\r\n") > held
        for _ in range(3):
            if answered(reads, b"END\r\n") < 1000:
                srv.advance(1)
        assert answered(reads, b"END\r\n") == 1000
    finally:
        sock.close()
        reads.close()
