"""Cluster mode enabled on real nodes: a Redis Cluster per group, resharding with its keys,
restarts, and snapshots of every shard restored into as many shards or another count."""

import shutil

import pytest
import redis
from redis.cluster import RedisCluster

from conftest import Server
from nodes import (
    free_port_block, refused, TOKEN, group, eventually, client, role, until_available,
    member_endpoints,
)

pytestmark = pytest.mark.skipif(
    not shutil.which("redis-server"), reason="needs redis-server (the README's test command installs it)"
)


def shard_key_counts(srv, ec, group_id):
    """Keys held by each shard's primary (the member that runs as master), by node group id.
    AWS shows no CurrentRole for members of a cluster-mode group: the nodes say."""
    counts = {}
    for node_group in group(ec, group_id)["NodeGroups"]:
        primaries = [e for e in member_endpoints(ec, node_group) if role(srv, e) == "master"]
        assert len(primaries) == 1, node_group
        counts[node_group["NodeGroupId"]] = client(srv, primaries[0]).dbsize()
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


def global_datastore_across_regions(srv, name, prefix):
    """The 2-shard us-east-1 group `name` with keys prefix0..prefix99, a global datastore made from
    it, and its available us-west-2 secondary `name-west` without replicas (created without a
    shard count: it takes the datastore's cluster mode and shards). Answers the two regions'
    clients, the east configuration endpoint and the datastore's id."""
    east = srv.client("elasticache", region="us-east-1")
    west = srv.client("elasticache", region="us-west-2")
    config = two_shard_group_with_keys(srv, east, name, "redis", prefix)
    gid = east.create_global_replication_group(GlobalReplicationGroupIdSuffix=name,
                                               PrimaryReplicationGroupId=name)["GlobalReplicationGroup"][
        "GlobalReplicationGroupId"]
    srv.advance(10)
    west.create_replication_group(ReplicationGroupId=f"{name}-west", ReplicationGroupDescription="secondary region",
                                  GlobalReplicationGroupId=gid, ReplicasPerNodeGroup=0)
    until_available(srv, west, f"{name}-west")
    return east, west, config, gid


def snapshotted_two_shard_group(srv, ec, group_id, prefix, snapshot):
    """A two-shard group holding prefix0..prefix99 and its available snapshot `snapshot`."""
    two_shard_group_with_keys(srv, ec, group_id, "redis", prefix)
    ec.create_snapshot(ReplicationGroupId=group_id, SnapshotName=snapshot)
    srv.advance(10)
    assert ec.describe_snapshots(SnapshotName=snapshot)["Snapshots"][0]["SnapshotStatus"] == "available"


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
        return RedisCluster(host=config["Address"], port=config["Port"], password=TOKEN, socket_timeout=5, **srv.tls)

    keys = {f"customer:{n}": str(n) for n in range(200)}
    writer = eventually(cluster_client)
    for key, value in keys.items():
        writer.set(key, value)
    writer.close()
    counts = shard_key_counts(srv, ec, "sharded")
    assert sum(counts.values()) == 200 and all(counts.values()), counts
    # The slots the nodes serve are the ones ElastiCache describes.
    slots = sorted(client(srv, config).cluster("slots"), key=lambda s: s[0])
    assert [f"{s[0]}-{s[1]}" for s in slots] == [g["Slots"] for g in described["NodeGroups"]]

    # Online resharding to three shards moves slots and their keys onto the new shard.
    ec.modify_replication_group_shard_configuration(ReplicationGroupId="sharded", NodeGroupCount=3,
                                                     ApplyImmediately=True)
    until_available(srv, ec, "sharded")
    counts = shard_key_counts(srv, ec, "sharded")
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
    counts = shard_key_counts(srv, ec, "sharded")
    assert sorted(counts) == ["0001", "0002"] and sum(counts.values()) == 200, counts
    reader = cluster_client()
    assert all(reader.get(key) == value.encode() for key, value in keys.items())
    reader.close()

    # TestFailover hands shard 0001 to its replica for real.
    shard = group(ec, "sharded")["NodeGroups"][0]
    replica = next(e for e in member_endpoints(ec, shard) if role(srv, e) == "slave")
    ec.test_failover(ReplicationGroupId="sharded", NodeGroupId="0001")
    srv.advance(0)
    assert eventually(lambda: role(srv, replica) == "master")
    reader = cluster_client()
    assert all(reader.get(key) == value.encode() for key, value in keys.items())
    reader.close()

    # A second replica per shard joins the cluster as a replica of its shard's primary.
    ec.increase_replica_count(ReplicationGroupId="sharded", NewReplicaCount=2, ApplyImmediately=True)
    until_available(srv, ec, "sharded")
    for node_group in group(ec, "sharded")["NodeGroups"]:
        endpoints = member_endpoints(ec, node_group)
        assert len(endpoints) == 3
        assert sorted(eventually(lambda: [role(srv, e) for e in endpoints])) == ["master", "slave", "slave"]
    # ...and the cluster's own view says so once gossip has carried it.
    assert eventually(lambda: sorted(n["flags"].replace("myself,", "")
                                     for n in client(srv, config).cluster("nodes").values())
                      == ["master"] * 2 + ["slave"] * 4)

    ec.delete_replication_group(ReplicationGroupId="sharded")
    srv.advance(600)
    srv.advance(600)
    assert refused(config["Address"], config["Port"])


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


def test_a_cluster_mode_snapshot_saves_every_shard_and_restores_into_as_many(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block(30)))
    ec = srv.client("elasticache")
    snapshotted_two_shard_group(srv, ec, "orders", "order:", "orders-nightly")

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
    srv.let_elasticache_export_to("shard-exports")
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
    snapshotted_two_shard_group(srv, ec, "ledger", "entry:", "ledger-nightly")

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


def test_a_cluster_mode_global_datastore_replicates_each_shard_across_regions(fresh_server):
    """A secondary region's shards replicate the primary region's shards of the same position
    (its nodes run as their replicas, in the primary's Redis Cluster); a failover of the global
    datastore hands every shard to the secondary's nodes."""
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block(40)))
    east, west, config, gid = global_datastore_across_regions(srv, "orders", "order:")
    secondary = group(west, "orders-west")
    assert secondary["ClusterEnabled"] and len(secondary["NodeGroups"]) == 2
    west_nodes = [member_endpoints(west, node_group)[0] for node_group in secondary["NodeGroups"]]

    def node(endpoint):
        return redis.Redis(host=endpoint["Address"], port=endpoint["Port"], socket_timeout=5)

    # Each secondary shard holds its primary shard's keys, and takes no writes of its own.
    east_counts = sorted(node(e).dbsize() for node_group in group(east, "orders")["NodeGroups"]
                         for e in member_endpoints(east, node_group) if node(e).info("replication")["role"] == "master")
    assert sum(east_counts) == 100 and len(east_counts) == 2
    assert eventually(lambda: sorted(node(e).dbsize() for e in west_nodes) == east_counts, seconds=30)
    assert all(node(e).info("replication")["role"] == "slave" for e in west_nodes)
    with pytest.raises(redis.exceptions.MovedError):
        node(west_nodes[0]).set("order:0", "written in the secondary region")

    # Failing the datastore over makes the west shards the primaries; the east ones follow them.
    east.failover_global_replication_group(GlobalReplicationGroupId=gid, PrimaryRegion="us-west-2",
                                           PrimaryReplicationGroupId="orders-west")
    until_available(srv, west, "orders-west")
    until_available(srv, east, "orders")
    assert eventually(lambda: all(node(e).info("replication")["role"] == "master" for e in west_nodes), seconds=30)
    west_config = group(west, "orders-west")["ConfigurationEndpoint"]
    writer = eventually(lambda: RedisCluster(host=west_config["Address"], port=west_config["Port"], socket_timeout=5))
    writer.set("order:100", "after the failover")
    assert all(writer.get(f"order:{n}") == str(n).encode() for n in range(100))
    writer.close()
    east_nodes = [e for node_group in group(east, "orders")["NodeGroups"] for e in member_endpoints(east, node_group)]
    assert eventually(lambda: sum(node(e).dbsize() for e in east_nodes) == 2 * 101, seconds=30)

    # Leaving the datastore, the east group is a cluster of its own again, with its keys.
    east.disassociate_global_replication_group(GlobalReplicationGroupId=gid, ReplicationGroupId="orders",
                                               ReplicationGroupRegion="us-east-1")
    until_available(srv, east, "orders")

    def separated():
        """A new client's view: the east nodes only (gossip settles within moments)."""
        client = RedisCluster(host=config["Address"], port=config["Port"], socket_timeout=5)
        if len(client.get_nodes()) == 4 and client.get("order:100") == b"after the failover":
            return client
        client.close()
        return None

    own = eventually(separated, seconds=20)
    own.set("order:101", "east only")
    own.close()
    writer = RedisCluster(host=west_config["Address"], port=west_config["Port"], socket_timeout=5)
    assert writer.get("order:101") is None and len(writer.get_nodes()) == 2
    writer.close()


def test_resharding_a_cluster_mode_global_datastore_reshards_every_region(fresh_server):
    """IncreaseNodeGroupsInGlobalReplicationGroup adds a shard to the primary region's Redis
    Cluster (slots and keys move to it) and one to the secondary, whose new node replicates it;
    DecreaseNodeGroupsInGlobalReplicationGroup drains the shard it names in both regions."""
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block(40)))
    east, west, config, gid = global_datastore_across_regions(srv, "carts", "cart:")

    def node(endpoint):
        return redis.Redis(host=endpoint["Address"], port=endpoint["Port"], socket_timeout=5)

    def shards(client, group_id):
        """A client for each node of each of the group's shards, by node group."""
        return [[node(e) for e in member_endpoints(client, node_group)] for node_group in group(client, group_id)[
            "NodeGroups"]]

    def replicated(count):
        """Every east shard holds keys; each west shard's node is a replica holding its east shard's keys."""
        east_masters = [next(n for n in nodes if n.info("replication")["role"] == "master")
                        for nodes in shards(east, "carts")]
        west_nodes = [nodes[0] for nodes in shards(west, "carts-west")]
        if len(east_masters) != count or len(west_nodes) != count:
            return False
        counts = [m.dbsize() for m in east_masters]
        return (sum(counts) == 100 and all(counts)
                and all(w.info("replication")["role"] == "slave" for w in west_nodes)
                and [w.dbsize() for w in west_nodes] == counts)

    assert eventually(lambda: replicated(2), seconds=30)
    east.increase_node_groups_in_global_replication_group(
        GlobalReplicationGroupId=gid, NodeGroupCount=3, ApplyImmediately=True)
    until_available(srv, east, "carts")
    until_available(srv, west, "carts-west")
    assert eventually(lambda: replicated(3), seconds=60)

    east.decrease_node_groups_in_global_replication_group(
        GlobalReplicationGroupId=gid, NodeGroupCount=2, ApplyImmediately=True,
        GlobalNodeGroupsToRemove=[f"{gid}-0002"])
    until_available(srv, east, "carts")
    until_available(srv, west, "carts-west")
    assert eventually(lambda: replicated(2), seconds=60)
    reader = RedisCluster(host=config["Address"], port=config["Port"], socket_timeout=5)
    assert all(reader.get(f"cart:{n}") == str(n).encode() for n in range(100))
    reader.close()
