"""In-transit encryption on real nodes: TLS at every endpoint of a cluster or group that has
it (verified against the data directory's CA, host name included), plaintext dropped where the
mode is `required`, and a group's migration through `preferred`."""

import shutil
import socket
import ssl
import urllib.request

import pytest
import redis

from nodes import (
    free_port_block, group, eventually, once, endpoint, until_available, needs_both_engines, memcached_speaks_tls_only,
)

pytestmark = pytest.mark.skipif(
    not shutil.which("redis-server"), reason="needs redis-server (the README's test command installs it)"
)


def speaks_tls(srv, address):
    """Whether a TLS client that verifies the certificate gets a PONG there."""
    try:
        return once(host=address["Address"], port=address["Port"], socket_connect_timeout=2, **srv.tls).ping()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
        return False  # a plaintext node takes the handshake for a command and waits for its end


def speaks_plaintext(address):
    try:
        return once(host=address["Address"], port=address["Port"]).ping()
    except redis.exceptions.ConnectionError:
        return False


def member_nodes(ec, group_id):
    return [endpoint(ec, m["CacheClusterId"])[1] for m in group(ec, group_id)["NodeGroups"][0]["NodeGroupMembers"]]


@needs_both_engines
def test_a_memcached_cluster_with_in_transit_encryption_speaks_tls_only(with_nodes):
    srv = with_nodes
    ec = srv.client("elasticache")
    ec.create_cache_cluster(CacheClusterId="sealed-mc", Engine="memcached", CacheNodeType="cache.t4g.small",
                            NumCacheNodes=2, TransitEncryptionEnabled=True)
    srv.advance(10)
    cluster = ec.describe_cache_clusters(CacheClusterId="sealed-mc", ShowCacheNodeInfo=True)["CacheClusters"][0]
    assert cluster["CacheClusterStatus"] == "available" and cluster["TransitEncryptionMode"] == "required"
    config = cluster["ConfigurationEndpoint"]
    nodes = [n["Endpoint"] for n in cluster["CacheNodes"]]
    # Auto-discovery over TLS lists the node endpoints, which speak TLS too.
    with srv.tls_socket(config["Address"], config["Port"]) as sock:
        sock.sendall(b"config get cluster\r\n")
        answer = b""
        while not answer.endswith(b"END\r\n"):
            chunk = sock.recv(4096)
            assert chunk, answer
            answer += chunk
    listed = answer.decode().split("\n")[2].split()
    assert listed == [f"{n['Address']}|{n['Address']}|{n['Port']}" for n in nodes]
    for node in nodes:
        memcached_speaks_tls_only(srv, node, "page", b"sealed")
    # The certificate chains to the data directory's CA, not to one the system trusts...
    with pytest.raises(ssl.SSLCertVerificationError):
        ssl.create_default_context().wrap_socket(
            socket.create_connection((config["Address"], config["Port"]), timeout=5),
            server_hostname=config["Address"])
    # ...which the server hands out too, for clients on other machines.
    with urllib.request.urlopen(f"{srv.endpoint}/_cachetrail/nodes/ca.pem", timeout=5) as answer:
        assert answer.read().decode() == open(srv.tls["ssl_ca_certs"]).read()


def test_a_group_moves_to_tls_through_preferred_and_back(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    ec.create_replication_group(
        ReplicationGroupId="moving", ReplicationGroupDescription="TLS migration", Engine="valkey",
        CacheNodeType="cache.t4g.small", NumCacheClusters=2)
    until_available(srv, ec, "moving")
    primary = group(ec, "moving")["NodeGroups"][0]["PrimaryEndpoint"]
    plain_nodes = member_nodes(ec, "moving")
    redis.Redis(host=primary["Address"], port=primary["Port"], socket_timeout=5).set("k", "before")
    assert not speaks_tls(srv, primary)

    def modify(**changes):
        ec.modify_replication_group(ReplicationGroupId="moving", ApplyImmediately=True, **changes)
        until_available(srv, ec, "moving")

    # `preferred`: TLS and plaintext both, at the group's endpoints and its nodes'.
    modify(TransitEncryptionEnabled=True, TransitEncryptionMode="preferred")
    nodes = member_nodes(ec, "moving")
    for address in [primary, *nodes]:
        assert eventually(lambda: speaks_tls(srv, address)) and speaks_plaintext(address)
    # The replica still follows its primary.
    tls_client = redis.Redis(host=primary["Address"], port=primary["Port"], socket_timeout=5, **srv.tls)
    tls_client.set("k", "during")
    reader = group(ec, "moving")["NodeGroups"][0]["ReaderEndpoint"]
    assert eventually(lambda: once(host=reader["Address"], port=reader["Port"], **srv.tls).get("k") == b"during")

    # `required`: plaintext clients are dropped.
    modify(TransitEncryptionMode="required")
    for address in [primary, *nodes]:
        assert speaks_tls(srv, address) and not speaks_plaintext(address)

    # Off again (only from `preferred`, as AWS allows): plaintext only, the nodes' own ports.
    modify(TransitEncryptionMode="preferred")
    modify(TransitEncryptionEnabled=False)
    assert member_nodes(ec, "moving") == plain_nodes
    for address in [primary, *plain_nodes]:
        assert speaks_plaintext(address) and not speaks_tls(srv, address)
    assert redis.Redis(host=primary["Address"], port=primary["Port"], socket_timeout=5).get("k") == b"during"
