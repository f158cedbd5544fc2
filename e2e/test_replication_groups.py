"""Replication groups (Redis OSS and Valkey) end to end."""

import uuid

import botocore.exceptions
import pytest


def code(excinfo):
    return excinfo.value.response["Error"]["Code"]


@pytest.fixture
def ec(server):
    return server.client("elasticache")


def rg_id():
    return f"rg-{uuid.uuid4().hex[:8]}"


def test_cluster_mode_disabled_lifecycle(server, ec):
    gid = rg_id()
    group = ec.create_replication_group(
        ReplicationGroupId=gid, ReplicationGroupDescription="primary and two replicas", Engine="valkey",
        CacheNodeType="cache.t4g.small", NumCacheClusters=3, AutomaticFailoverEnabled=True, MultiAZEnabled=True,
        Tags=[{"Key": "team", "Value": "audit"}],
    )["ReplicationGroup"]
    assert group["Status"] == "creating"
    assert group["MemberClusters"] == [f"{gid}-001", f"{gid}-002", f"{gid}-003"]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.modify_replication_group(ReplicationGroupId=gid, SnapshotRetentionLimit=1)
    assert code(excinfo) == "InvalidReplicationGroupState"
    server.advance(10)
    ec.get_waiter("replication_group_available").wait(ReplicationGroupId=gid, WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    group = ec.describe_replication_groups(ReplicationGroupId=gid)["ReplicationGroups"][0]
    node_group = group["NodeGroups"][0]
    assert node_group["PrimaryEndpoint"]["Address"].startswith(f"{gid}.") and node_group["ReaderEndpoint"]["Address"].startswith(f"{gid}-ro.")
    assert [m["CurrentRole"] for m in node_group["NodeGroupMembers"]] == ["primary", "replica", "replica"]
    assert group["AutomaticFailover"] == "enabled" and group["MultiAZ"] == "enabled" and group["ClusterEnabled"] is False
    members = ec.describe_cache_clusters()["CacheClusters"]
    assert {c["CacheClusterId"] for c in members if c.get("ReplicationGroupId") == gid} == set(group["MemberClusters"])
    standalone = ec.describe_cache_clusters(ShowCacheClustersNotInReplicationGroups=True)["CacheClusters"]
    assert not any(c.get("ReplicationGroupId") for c in standalone)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.delete_cache_cluster(CacheClusterId=f"{gid}-002")
    assert code(excinfo) == "InvalidCacheClusterState"
    assert ec.list_tags_for_resource(ResourceName=group["ARN"])["TagList"] == [{"Key": "team", "Value": "audit"}]

    failed_over = ec.test_failover(ReplicationGroupId=gid, NodeGroupId="0001")["ReplicationGroup"]
    roles = {m["CacheClusterId"]: m["CurrentRole"] for m in failed_over["NodeGroups"][0]["NodeGroupMembers"]}
    assert roles[f"{gid}-001"] == "replica" and list(roles.values()).count("primary") == 1
    assert any("Test Failover" in e["Message"] for e in ec.describe_events(SourceIdentifier=gid, SourceType="replication-group")["Events"])

    grown = ec.increase_replica_count(ReplicationGroupId=gid, NewReplicaCount=3, ApplyImmediately=True)["ReplicationGroup"]
    assert grown["Status"] == "modifying" and f"{gid}-004" in grown["MemberClusters"]
    server.advance(10)
    shrunk = ec.decrease_replica_count(ReplicationGroupId=gid, NewReplicaCount=1, ApplyImmediately=True)["ReplicationGroup"]
    assert len(shrunk["MemberClusters"]) == 2
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.decrease_replica_count(ReplicationGroupId=gid, NewReplicaCount=0, ApplyImmediately=True)
    assert code(excinfo) == "InvalidReplicationGroupState"
    server.advance(10)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.decrease_replica_count(ReplicationGroupId=gid, NewReplicaCount=0, ApplyImmediately=True)
    assert code(excinfo) == "InvalidParameterCombination"

    deleting = ec.delete_replication_group(ReplicationGroupId=gid, RetainPrimaryCluster=True)["ReplicationGroup"]
    assert deleting["Status"] == "deleting"
    server.advance(10)
    ec.get_waiter("replication_group_deleted").wait(ReplicationGroupId=gid, WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    remaining = [c for c in ec.describe_cache_clusters()["CacheClusters"] if c["CacheClusterId"].startswith(gid)]
    assert len(remaining) == 1 and "ReplicationGroupId" not in remaining[0]


def test_cluster_mode_enabled_and_resharding(server, ec):
    gid = rg_id()
    group = ec.create_replication_group(
        ReplicationGroupId=gid, ReplicationGroupDescription="sharded", Engine="redis", CacheNodeType="cache.r6g.large",
        NumNodeGroups=3, ReplicasPerNodeGroup=1,
    )["ReplicationGroup"]
    assert group["MemberClusters"][:2] == [f"{gid}-0001-001", f"{gid}-0001-002"] and len(group["MemberClusters"]) == 6
    assert [g["Slots"] for g in group["NodeGroups"]] == ["0-5460", "5461-10921", "10922-16383"]
    server.advance(10)
    group = ec.describe_replication_groups(ReplicationGroupId=gid)["ReplicationGroups"][0]
    assert group["ConfigurationEndpoint"]["Address"].startswith(f"{gid}.") and ".clustercfg." in group["ConfigurationEndpoint"]["Address"]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.modify_replication_group_shard_configuration(ReplicationGroupId=gid, NodeGroupCount=3, ApplyImmediately=True)
    assert code(excinfo) == "NoOperationFault"
    resharded = ec.modify_replication_group_shard_configuration(ReplicationGroupId=gid, NodeGroupCount=4, ApplyImmediately=True)["ReplicationGroup"]
    assert len(resharded["NodeGroups"]) == 4 and resharded["NodeGroups"][3]["Slots"] == "12288-16383"
    server.advance(10)
    shrunk = ec.modify_replication_group_shard_configuration(
        ReplicationGroupId=gid, NodeGroupCount=2, ApplyImmediately=True, NodeGroupsToRemove=["0002", "0003"]
    )["ReplicationGroup"]
    assert [g["NodeGroupId"] for g in shrunk["NodeGroups"]] == ["0001", "0004"]
    server.advance(10)
    allowed = ec.list_allowed_node_type_modifications(ReplicationGroupId=gid)
    assert "cache.r6g.xlarge" in allowed["ScaleUpModifications"]


def test_replication_group_errors(server, ec):
    gid = rg_id()
    ec.create_replication_group(ReplicationGroupId=gid, ReplicationGroupDescription="d", CacheNodeType="cache.t3.micro", NumCacheClusters=1)
    cases = [
        (dict(ReplicationGroupId=gid, ReplicationGroupDescription="d", CacheNodeType="cache.t3.micro"), "ReplicationGroupAlreadyExists"),
        (dict(ReplicationGroupId=rg_id(), ReplicationGroupDescription="d", CacheNodeType="cache.t3.micro", NumCacheClusters=1, AutomaticFailoverEnabled=True), "InvalidParameterCombination"),
        (dict(ReplicationGroupId=rg_id(), ReplicationGroupDescription="d", CacheNodeType="cache.t3.micro", NumNodeGroups=2, AutomaticFailoverEnabled=False), "InvalidParameterCombination"),
        (dict(ReplicationGroupId=rg_id(), ReplicationGroupDescription="d", CacheNodeType="cache.t3.micro", Engine="memcached"), "InvalidParameterValue"),
        (dict(ReplicationGroupId=rg_id(), ReplicationGroupDescription="d", CacheNodeType="cache.t3.micro", NumCacheClusters=7), "InvalidParameterValue"),
    ]
    for arguments, error in cases:
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            ec.create_replication_group(**arguments)
        assert code(excinfo) == error, arguments
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.describe_replication_groups(ReplicationGroupId="missing")
    assert code(excinfo) == "ReplicationGroupNotFoundFault"
    server.advance(10)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.test_failover(ReplicationGroupId=gid, NodeGroupId="0001")
    assert code(excinfo) == "TestFailoverNotAvailableFault"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.test_failover(ReplicationGroupId=gid, NodeGroupId="0009")
    assert code(excinfo) == "NodeGroupNotFoundFault"


def test_primary_cluster_id_joins_an_existing_cluster(server, ec):
    cid = f"solo-{uuid.uuid4().hex[:8]}"
    ec.create_cache_cluster(CacheClusterId=cid, Engine="redis", CacheNodeType="cache.t3.micro")
    server.advance(10)
    gid = rg_id()
    group = ec.create_replication_group(
        ReplicationGroupId=gid, ReplicationGroupDescription="from a cluster", PrimaryClusterId=cid, NumCacheClusters=2
    )["ReplicationGroup"]
    assert group["MemberClusters"] == [cid, f"{gid}-002"]
    assert ec.describe_cache_clusters(CacheClusterId=cid)["CacheClusters"][0]["ReplicationGroupId"] == gid
