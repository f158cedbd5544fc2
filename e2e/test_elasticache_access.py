"""ElastiCache part 2: snapshots (manual, copies, automatic, restores) and role-based access
control (users and user groups), through boto3 and the AWS CLI on the manual clock."""


import botocore.exceptions
import pytest

from test_delivery import code


def error(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        call(**kwargs)
    return code(excinfo)


def test_manual_snapshots_copies_and_restores(fresh_server):
    server = fresh_server()
    ec = server.client("elasticache")
    ec.create_cache_cluster(CacheClusterId="src", Engine="redis", CacheNodeType="cache.t3.micro")
    assert error(ec.create_snapshot, CacheClusterId="src", SnapshotName="early") == "InvalidCacheClusterState"
    server.advance(10)
    snap = ec.create_snapshot(CacheClusterId="src", SnapshotName="nightly")["Snapshot"]
    assert snap["SnapshotStatus"] == "creating" and snap["SnapshotSource"] == "manual"
    assert error(ec.create_snapshot, CacheClusterId="src", SnapshotName="nightly") == "SnapshotAlreadyExistsFault"
    assert error(ec.copy_snapshot, SourceSnapshotName="nightly", TargetSnapshotName="copy") == "InvalidSnapshotState"
    server.advance(10)
    copy = ec.copy_snapshot(SourceSnapshotName="nightly", TargetSnapshotName="copy")["Snapshot"]
    assert copy["SnapshotName"] == "copy" and copy["CacheClusterId"] == "src"
    assert error(ec.copy_snapshot, SourceSnapshotName="missing", TargetSnapshotName="x") == "SnapshotNotFoundFault"
    server.advance(10)

    restored = ec.create_cache_cluster(CacheClusterId="restored", SnapshotName="copy")["CacheCluster"]
    assert restored["Engine"] == "redis" and restored["CacheNodeType"] == "cache.t3.micro"
    group = ec.create_replication_group(
        ReplicationGroupId="from-snap", ReplicationGroupDescription="restore", SnapshotName="nightly",
        NumCacheClusters=2)["ReplicationGroup"]
    assert group["CacheNodeType"] == "cache.t3.micro"

    deleted = ec.delete_snapshot(SnapshotName="copy")["Snapshot"]
    assert deleted["SnapshotStatus"] == "deleting"
    names = [s["SnapshotName"] for s in ec.describe_snapshots()["Snapshots"]]
    assert names == ["nightly"]
    assert error(ec.delete_snapshot, SnapshotName="copy") == "SnapshotNotFoundFault"

    # Memcached has no snapshots.
    ec.create_cache_cluster(CacheClusterId="mc", Engine="memcached", CacheNodeType="cache.t3.micro")
    server.advance(10)
    assert error(ec.create_snapshot, CacheClusterId="mc", SnapshotName="m") == "SnapshotFeatureNotSupportedFault"


def test_automatic_snapshots_follow_retention_on_the_injected_clock(fresh_server):
    server = fresh_server()
    ec = server.client("elasticache")
    ec.create_cache_cluster(
        CacheClusterId="daily", Engine="redis", CacheNodeType="cache.t3.micro", SnapshotRetentionLimit=2,
        SnapshotWindow="03:00-04:00")
    server.advance(10)
    server.advance(5 * 86400)
    automated = ec.describe_snapshots(SnapshotSource="automated")["Snapshots"]
    assert len(automated) == 2
    assert all(s["SnapshotName"].startswith("automatic.daily-") and s["SnapshotStatus"] == "available"
               for s in automated)
    assert all(s["NodeSnapshots"][0]["SnapshotCreateTime"].hour == 3 for s in automated)


def test_users_and_user_groups(fresh_server):
    server = fresh_server()
    ec = server.client("elasticache")
    users = ec.describe_users()["Users"]
    assert [u["UserId"] for u in users] == ["default"]
    created = ec.create_user(
        UserId="app-default", UserName="default", Engine="redis", AccessString="on ~app:* +@read",
        Passwords=["a-very-long-password-1"])
    assert created["Authentication"] == {"Type": "password", "PasswordCount": 1}
    assert "Passwords" not in created
    ec.create_user(UserId="writer", UserName="writer", Engine="redis", AccessString="on ~* +@all",
                   NoPasswordRequired=True)
    assert error(ec.create_user, UserId="writer", UserName="w2", Engine="redis", AccessString="on ~* +@all",
                 NoPasswordRequired=True) == "UserAlreadyExists"
    assert error(ec.create_user, UserId="bad", UserName="bad", Engine="redis", AccessString="on ~* >secret",
                 NoPasswordRequired=True) == "InvalidParameterValue"
    assert error(ec.create_user, UserId="short", UserName="short", Engine="redis", AccessString="on",
                 Passwords=["tooshort"]) == "InvalidParameterValue"
    assert error(ec.create_user_group, UserGroupId="no-default", Engine="redis",
                 UserIds=["writer"]) == "DefaultUserRequired"
    assert error(ec.create_user_group, UserGroupId="ghost", Engine="redis",
                 UserIds=["default", "nobody"]) == "UserNotFound"
    assert error(ec.create_user_group, UserGroupId="two-defaults", Engine="redis",
                 UserIds=["default", "app-default"]) == "DuplicateUserName"
    group = ec.create_user_group(UserGroupId="app", Engine="redis", UserIds=["app-default", "writer"])
    assert group["Status"] == "creating"
    server.advance(10)
    modified = ec.modify_user(UserId="app-default", Passwords=["first-password-123", "second-password-456"])
    assert modified["Authentication"]["PasswordCount"] == 2 and modified["Status"] == "modifying"
    assert ec.describe_users(UserId="writer")["Users"][0]["UserGroupIds"] == ["app"]

    ec.create_replication_group(
        ReplicationGroupId="rbac", ReplicationGroupDescription="with users", CacheNodeType="cache.t3.micro",
        Engine="redis", NumCacheClusters=1, UserGroupIds=["app"], TransitEncryptionEnabled=True)
    server.advance(10)
    assert ec.describe_user_groups(UserGroupId="app")["UserGroups"][0]["ReplicationGroups"] == ["rbac"]
    assert error(ec.delete_user_group, UserGroupId="app") == "InvalidUserGroupState"
    ec.modify_replication_group(ReplicationGroupId="rbac", UserGroupIdsToRemove=["app"])
    server.advance(10)
    ec.delete_user_group(UserGroupId="app")
    assert error(ec.describe_user_groups, UserGroupId="app") == "UserGroupNotFound"
    assert error(ec.delete_user, UserId="default") == "DefaultUserAssociatedToUserGroup"
    assert ec.delete_user(UserId="writer")["Status"] == "deleting"

    # Passwords never reach the audit trail.
    events = server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ModifyUser"}])["Events"]
    assert events and "first-password-123" not in events[0]["CloudTrailEvent"]
    assert "HIDDEN_DUE_TO_SECURITY_REASONS" in events[0]["CloudTrailEvent"]


def test_serverless_caches_and_their_snapshots(fresh_server):
    server = fresh_server()
    ec = server.client("elasticache")
    cache = ec.create_serverless_cache(
        ServerlessCacheName="sless", Engine="valkey",
        CacheUsageLimits={"DataStorage": {"Maximum": 10, "Unit": "GB"}, "ECPUPerSecond": {"Maximum": 5000}},
    )["ServerlessCache"]
    assert cache["Status"] == "creating" and cache["MajorEngineVersion"] == "8"
    assert error(ec.create_serverless_cache, ServerlessCacheName="sless", Engine="valkey") == (
        "ServerlessCacheAlreadyExistsFault")
    assert error(ec.create_serverless_cache_snapshot, ServerlessCacheName="sless",
                 ServerlessCacheSnapshotName="early") == "InvalidServerlessCacheStateFault"
    server.advance(10)
    [described] = ec.describe_serverless_caches(ServerlessCacheName="sless")["ServerlessCaches"]
    assert described["Status"] == "available" and described["Endpoint"]["Port"] == 6379
    assert described["CacheUsageLimits"]["DataStorage"] == {"Maximum": 10, "Unit": "GB"}

    snap = ec.create_serverless_cache_snapshot(
        ServerlessCacheName="sless", ServerlessCacheSnapshotName="snap-1")["ServerlessCacheSnapshot"]
    assert snap["Status"] == "creating" and snap["ServerlessCacheConfiguration"]["Engine"] == "valkey"
    server.advance(10)
    ec.copy_serverless_cache_snapshot(
        SourceServerlessCacheSnapshotName="snap-1", TargetServerlessCacheSnapshotName="snap-2")

    # Export writes an RDB file into a bucket whose policy lets ElastiCache in.
    s3 = server.client("s3")
    s3.create_bucket(Bucket="exports")
    assert error(ec.export_serverless_cache_snapshot, ServerlessCacheSnapshotName="snap-1",
                 S3BucketName="exports") == "InvalidParameterValue"
    server.let_elasticache_export_to("exports")
    ec.export_serverless_cache_snapshot(ServerlessCacheSnapshotName="snap-1", S3BucketName="exports")
    assert s3.get_object(Bucket="exports", Key="snap-1.rdb")["Body"].read().startswith(b"REDIS0011")

    restored = ec.create_serverless_cache(
        ServerlessCacheName="restored", Engine="valkey",
        SnapshotArnsToRestore=[snap["ARN"]])["ServerlessCache"]
    assert restored["ServerlessCacheName"] == "restored"
    ec.modify_serverless_cache(ServerlessCacheName="sless", Description="changed")
    assert error(ec.delete_serverless_cache, ServerlessCacheName="sless") == "InvalidServerlessCacheStateFault"
    server.advance(10)
    deleted = ec.delete_serverless_cache(ServerlessCacheName="sless", FinalSnapshotName="last")["ServerlessCache"]
    assert deleted["Status"] == "deleting"
    server.advance(10)
    names = {c["ServerlessCacheName"] for c in ec.describe_serverless_caches()["ServerlessCaches"]}
    assert names == {"restored"}
    snapshots = {s["ServerlessCacheSnapshotName"] for s in ec.describe_serverless_cache_snapshots()["ServerlessCacheSnapshots"]}
    assert snapshots == {"snap-1", "snap-2", "last"}
    ec.delete_serverless_cache_snapshot(ServerlessCacheSnapshotName="snap-2")
    assert error(ec.describe_serverless_cache_snapshots, ServerlessCacheSnapshotName="snap-2") == (
        "ServerlessCacheSnapshotNotFoundFault")


def test_copy_snapshot_to_a_bucket(fresh_server):
    server = fresh_server()
    ec = server.client("elasticache")
    ec.create_cache_cluster(CacheClusterId="src", Engine="redis", CacheNodeType="cache.t3.micro")
    server.advance(10)
    ec.create_snapshot(CacheClusterId="src", SnapshotName="nightly")
    server.advance(10)
    s3 = server.client("s3")
    assert error(ec.copy_snapshot, SourceSnapshotName="nightly", TargetSnapshotName="exported",
                 TargetBucket="nowhere") == "InvalidParameterValue"
    s3.create_bucket(Bucket="backups")
    server.let_elasticache_export_to("backups")
    ec.copy_snapshot(SourceSnapshotName="nightly", TargetSnapshotName="exported", TargetBucket="backups")
    body = s3.get_object(Bucket="backups", Key="exported-0001.rdb")["Body"].read()
    assert body.startswith(b"REDIS0011") and body[9] == 0xFF


def test_global_datastore_across_regions(fresh_server):
    server = fresh_server()
    east = server.client("elasticache", region="us-east-1")
    west = server.client("elasticache", region="us-west-2")
    east.create_replication_group(
        ReplicationGroupId="main", ReplicationGroupDescription="primary", CacheNodeType="cache.r6g.large",
        Engine="redis", NumNodeGroups=2, ReplicasPerNodeGroup=1)
    assert error(east.create_global_replication_group, GlobalReplicationGroupIdSuffix="early",
                 PrimaryReplicationGroupId="main") == "InvalidReplicationGroupState"
    server.advance(10)
    created = east.create_global_replication_group(
        GlobalReplicationGroupIdSuffix="shop", GlobalReplicationGroupDescription="shop cache",
        PrimaryReplicationGroupId="main")["GlobalReplicationGroup"]
    gid = created["GlobalReplicationGroupId"]
    assert gid.endswith("-shop") and created["Status"] == "creating" and created["ClusterEnabled"]
    server.advance(10)
    [described] = west.describe_global_replication_groups(GlobalReplicationGroupId=gid)["GlobalReplicationGroups"]
    assert described["Status"] == "primary-only" and "Members" not in described

    secondary = west.create_replication_group(
        ReplicationGroupId="replica", ReplicationGroupDescription="secondary", GlobalReplicationGroupId=gid,
        NumNodeGroups=2, ReplicasPerNodeGroup=1)["ReplicationGroup"]
    assert secondary["CacheNodeType"] == "cache.r6g.large"
    assert secondary["GlobalReplicationGroupInfo"] == {
        "GlobalReplicationGroupId": gid, "GlobalReplicationGroupMemberRole": "secondary"}
    server.advance(10)
    [described] = east.describe_global_replication_groups(
        GlobalReplicationGroupId=gid, ShowMemberInfo=True)["GlobalReplicationGroups"]
    assert described["Status"] == "available"
    assert {(m["ReplicationGroupId"], m["ReplicationGroupRegion"], m["Role"]) for m in described["Members"]} == {
        ("main", "us-east-1", "primary"), ("replica", "us-west-2", "secondary")}

    failed_over = east.failover_global_replication_group(
        GlobalReplicationGroupId=gid, PrimaryRegion="us-west-2", PrimaryReplicationGroupId="replica")
    roles = {m["ReplicationGroupId"]: m["Role"] for m in failed_over["GlobalReplicationGroup"]["Members"]}
    assert roles == {"main": "secondary", "replica": "primary"}
    server.advance(10)
    east.increase_node_groups_in_global_replication_group(
        GlobalReplicationGroupId=gid, NodeGroupCount=3, ApplyImmediately=True)
    server.advance(10)
    groups = east.describe_global_replication_groups(GlobalReplicationGroupId=gid)["GlobalReplicationGroups"][0]
    assert len(groups["GlobalNodeGroups"]) == 3
    # Every member region's group has the datastore's shards (AWS resizes each member).
    for client, member in ((east, "main"), (west, "replica")):
        [resized] = client.describe_replication_groups(ReplicationGroupId=member)["ReplicationGroups"]
        assert [g["NodeGroupId"] for g in resized["NodeGroups"]] == ["0001", "0002", "0003"]
        assert resized["Status"] == "available" and len(resized["MemberClusters"]) == 6
    east.decrease_node_groups_in_global_replication_group(
        GlobalReplicationGroupId=gid, NodeGroupCount=2, ApplyImmediately=True,
        GlobalNodeGroupsToRemove=[f"{gid}-0002"])
    server.advance(10)
    for client, member in ((east, "main"), (west, "replica")):
        [resized] = client.describe_replication_groups(ReplicationGroupId=member)["ReplicationGroups"]
        assert [(g["NodeGroupId"], g["Slots"]) for g in resized["NodeGroups"]] == [
            ("0001", "0-8191"), ("0003", "8192-16383")]
    assert error(east.decrease_node_groups_in_global_replication_group, GlobalReplicationGroupId=gid,
                 NodeGroupCount=5, ApplyImmediately=True) == "InvalidParameterValue"
    east.rebalance_slots_in_global_replication_group(GlobalReplicationGroupId=gid, ApplyImmediately=True)
    server.advance(10)
    assert error(east.delete_global_replication_group, GlobalReplicationGroupId=gid,
                 RetainPrimaryReplicationGroup=True) == "InvalidGlobalReplicationGroupState"
    east.failover_global_replication_group(
        GlobalReplicationGroupId=gid, PrimaryRegion="us-east-1", PrimaryReplicationGroupId="main")
    server.advance(10)
    west.disassociate_global_replication_group(
        GlobalReplicationGroupId=gid, ReplicationGroupId="replica", ReplicationGroupRegion="us-west-2")
    server.advance(10)
    east.delete_global_replication_group(GlobalReplicationGroupId=gid, RetainPrimaryReplicationGroup=True)
    assert error(east.describe_global_replication_groups, GlobalReplicationGroupId=gid) == (
        "GlobalReplicationGroupNotFoundFault")
    # Out of every global datastore, AWS answers an empty GlobalReplicationGroupInfo.
    assert east.describe_replication_groups(
        ReplicationGroupId="main")["ReplicationGroups"][0]["GlobalReplicationGroupInfo"] == {}


def test_reserved_nodes_service_updates_and_migration(fresh_server):
    server = fresh_server()
    ec = server.client("elasticache")
    offerings = ec.describe_reserved_cache_nodes_offerings(
        CacheNodeType="cache.r6g.large", Duration="3", OfferingType="All Upfront", ProductDescription="redis")
    [offering] = offerings["ReservedCacheNodesOfferings"]
    assert offering["Duration"] == 94608000 and offering["FixedPrice"] > 0 and offering["RecurringCharges"] == []
    bought = ec.purchase_reserved_cache_nodes_offering(
        ReservedCacheNodesOfferingId=offering["ReservedCacheNodesOfferingId"], ReservedCacheNodeId="ri-1",
        CacheNodeCount=2)["ReservedCacheNode"]
    assert bought["CacheNodeCount"] == 2 and bought["State"] == "payment-pending"
    assert error(ec.purchase_reserved_cache_nodes_offering,
                 ReservedCacheNodesOfferingId=offering["ReservedCacheNodesOfferingId"],
                 ReservedCacheNodeId="ri-1") == "ReservedCacheNodeAlreadyExists"
    server.advance(120)
    assert ec.describe_reserved_cache_nodes(ReservedCacheNodeId="ri-1")["ReservedCacheNodes"][0]["State"] == "active"

    ec.create_replication_group(
        ReplicationGroupId="svc", ReplicationGroupDescription="d", Engine="redis", CacheNodeType="cache.t3.micro",
        NumCacheClusters=1)
    server.advance(10)
    name = "elc-20261001-001"
    [action] = ec.describe_update_actions(ServiceUpdateName=name)["UpdateActions"]
    assert action["ReplicationGroupId"] == "svc" and action["UpdateActionStatus"] == "not-applied"
    result = ec.batch_apply_update_action(ServiceUpdateName=name, ReplicationGroupIds=["svc", "ghost"])
    assert [a["UpdateActionStatus"] for a in result["ProcessedUpdateActions"]] == ["in-progress"]
    assert [a["ReplicationGroupId"] for a in result["UnprocessedUpdateActions"]] == ["ghost"]
    server.advance(10)
    [action] = ec.describe_update_actions(ServiceUpdateName=name)["UpdateActions"]
    assert action["UpdateActionStatus"] == "complete" and action["NodesUpdated"] == "1/1"
    stopped = ec.batch_stop_update_action(ServiceUpdateName=name, ReplicationGroupIds=["svc"])
    assert stopped["UnprocessedUpdateActions"][0]["ReplicationGroupId"] == "svc"  # complete cannot be stopped
    assert [u["ServiceUpdateName"] for u in ec.describe_service_updates(ServiceUpdateStatus=["expired"])["ServiceUpdates"]] == [
        "elc-20250301-003"]

    endpoint = [{"Address": "10.0.0.9", "Port": 6379}]
    assert error(ec.start_migration, ReplicationGroupId="svc",
                 CustomerNodeEndpointList=endpoint * 2) == "InvalidParameterValue"
    assert error(ec.complete_migration, ReplicationGroupId="svc") == "ReplicationGroupNotUnderMigrationFault"
    ec.test_migration(ReplicationGroupId="svc", CustomerNodeEndpointList=endpoint)
    ec.start_migration(ReplicationGroupId="svc", CustomerNodeEndpointList=endpoint)
    assert error(ec.start_migration, ReplicationGroupId="svc",
                 CustomerNodeEndpointList=endpoint) == "ReplicationGroupAlreadyUnderMigrationFault"
    ec.complete_migration(ReplicationGroupId="svc")
