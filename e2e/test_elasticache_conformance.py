"""Conformance: every operation of the ElastiCache model (the list comes from botocore's model,
the same one the server's shapes were generated from) is called through boto3 with valid input
and its answer checked against the model's output shape; then each is called once with an
invalid input and must fail with one of the error codes the model documents for it."""


import botocore.exceptions
import botocore.session
import pytest
from botocore.validate import ParamValidator

MODEL = botocore.session.get_session().get_service_model("elasticache")
EAST = "arn:aws:elasticache:us-east-1:000000000000"
ADVANCE = "advance"


def valid_steps(state):
    """(operation, region, kwargs) in an order that makes each call valid; ADVANCE lets 10 s pass."""
    rg = {"ReplicationGroupId": "conf-rg"}
    sl = {"ServerlessCacheName": "conf-sl"}
    gid = lambda: {"GlobalReplicationGroupId": state["gid"]}  # noqa: E731
    return [
        ("DescribeCacheEngineVersions", "us-east-1", {}),
        ("DescribeEngineDefaultParameters", "us-east-1", {"CacheParameterGroupFamily": "redis7"}),
        ("CreateCacheParameterGroup", "us-east-1", {
            "CacheParameterGroupName": "conf-pg", "CacheParameterGroupFamily": "redis7", "Description": "d"}),
        ("DescribeCacheParameterGroups", "us-east-1", {}),
        ("DescribeCacheParameters", "us-east-1", {"CacheParameterGroupName": "conf-pg"}),
        ("ModifyCacheParameterGroup", "us-east-1", {
            "CacheParameterGroupName": "conf-pg",
            "ParameterNameValues": [{"ParameterName": "maxmemory-policy", "ParameterValue": "allkeys-lru"}]}),
        ("ResetCacheParameterGroup", "us-east-1", {"CacheParameterGroupName": "conf-pg", "ResetAllParameters": True}),
        ("CreateCacheSubnetGroup", "us-east-1", {
            "CacheSubnetGroupName": "conf-sn", "CacheSubnetGroupDescription": "d", "SubnetIds": ["subnet-0a1b2c3d"]}),
        ("ModifyCacheSubnetGroup", "us-east-1", {"CacheSubnetGroupName": "conf-sn", "CacheSubnetGroupDescription": "e"}),
        ("DescribeCacheSubnetGroups", "us-east-1", {}),
        ("CreateCacheSecurityGroup", "us-east-1", {"CacheSecurityGroupName": "conf-sg", "Description": "d"}),
        ("AuthorizeCacheSecurityGroupIngress", "us-east-1", {
            "CacheSecurityGroupName": "conf-sg", "EC2SecurityGroupName": "web", "EC2SecurityGroupOwnerId": "123456789012"}),
        ("RevokeCacheSecurityGroupIngress", "us-east-1", {
            "CacheSecurityGroupName": "conf-sg", "EC2SecurityGroupName": "web", "EC2SecurityGroupOwnerId": "123456789012"}),
        ("DescribeCacheSecurityGroups", "us-east-1", {}),
        ("CreateCacheCluster", "us-east-1", {"CacheClusterId": "conf-c", "Engine": "redis", "CacheNodeType": "cache.t3.micro"}),
        ("CreateReplicationGroup", "us-east-1", {
            **rg, "ReplicationGroupDescription": "d", "Engine": "redis", "CacheNodeType": "cache.t3.micro",
            "NumCacheClusters": 2, "AutomaticFailoverEnabled": True}),
        ("CreateReplicationGroup", "us-east-1", {
            "ReplicationGroupId": "conf-cm", "ReplicationGroupDescription": "d", "Engine": "redis",
            "CacheNodeType": "cache.r6g.large", "NumNodeGroups": 2, "ReplicasPerNodeGroup": 1}),
        ADVANCE,
        ("DescribeCacheClusters", "us-east-1", {}),
        ("ModifyCacheCluster", "us-east-1", {"CacheClusterId": "conf-c", "SnapshotRetentionLimit": 1, "ApplyImmediately": True}),
        ADVANCE,
        ("RebootCacheCluster", "us-east-1", {"CacheClusterId": "conf-c", "CacheNodeIdsToReboot": ["0001"]}),
        ADVANCE,
        ("AddTagsToResource", "us-east-1", {"ResourceName": f"{EAST}:cluster:conf-c", "Tags": [{"Key": "k", "Value": "v"}]}),
        ("ListTagsForResource", "us-east-1", {"ResourceName": f"{EAST}:cluster:conf-c"}),
        ("RemoveTagsFromResource", "us-east-1", {"ResourceName": f"{EAST}:cluster:conf-c", "TagKeys": ["k"]}),
        ("ListAllowedNodeTypeModifications", "us-east-1", {"CacheClusterId": "conf-c"}),
        ("DescribeEvents", "us-east-1", {}),
        ("DescribeReplicationGroups", "us-east-1", {}),
        ("ModifyReplicationGroup", "us-east-1", {**rg, "ReplicationGroupDescription": "e", "ApplyImmediately": True}),
        ADVANCE,
        ("IncreaseReplicaCount", "us-east-1", {**rg, "NewReplicaCount": 2, "ApplyImmediately": True}),
        ADVANCE,
        ("DecreaseReplicaCount", "us-east-1", {**rg, "NewReplicaCount": 1, "ApplyImmediately": True}),
        ADVANCE,
        ("TestFailover", "us-east-1", {**rg, "NodeGroupId": "0001"}),
        ADVANCE,
        ("ModifyReplicationGroupShardConfiguration", "us-east-1", {
            "ReplicationGroupId": "conf-cm", "NodeGroupCount": 3, "ApplyImmediately": True}),
        ADVANCE,
        ("CreateSnapshot", "us-east-1", {"CacheClusterId": "conf-c", "SnapshotName": "conf-snap"}),
        ADVANCE,
        ("DescribeSnapshots", "us-east-1", {}),
        ("CopySnapshot", "us-east-1", {"SourceSnapshotName": "conf-snap", "TargetSnapshotName": "conf-snap-copy"}),
        ADVANCE,
        ("DeleteSnapshot", "us-east-1", {"SnapshotName": "conf-snap-copy"}),
        ("CreateUser", "us-east-1", {
            "UserId": "conf-default", "UserName": "default", "Engine": "redis", "AccessString": "on ~* +@all",
            "NoPasswordRequired": True}),
        ("CreateUser", "us-east-1", {
            "UserId": "conf-app", "UserName": "app", "Engine": "redis", "AccessString": "on ~app:* +@read",
            "Passwords": ["a-password-of-twenty"]}),
        ADVANCE,
        ("ModifyUser", "us-east-1", {"UserId": "conf-default", "AccessString": "on ~* +@read"}),
        ("DescribeUsers", "us-east-1", {}),
        ("CreateUserGroup", "us-east-1", {"UserGroupId": "conf-ug", "Engine": "redis", "UserIds": ["conf-default"]}),
        ADVANCE,
        ("ModifyUserGroup", "us-east-1", {"UserGroupId": "conf-ug", "UserIdsToAdd": ["conf-app"]}),
        ("DescribeUserGroups", "us-east-1", {}),
        ADVANCE,
        ("DeleteUserGroup", "us-east-1", {"UserGroupId": "conf-ug"}),
        ("DeleteUser", "us-east-1", {"UserId": "conf-app"}),
        ("CreateServerlessCache", "us-east-1", {**sl, "Engine": "redis"}),
        ADVANCE,
        ("DescribeServerlessCaches", "us-east-1", {}),
        ("ModifyServerlessCache", "us-east-1", {**sl, "Description": "d"}),
        ADVANCE,
        ("PrepareMigration", "us-east-1", {**sl, "CustomerNodeEndpointList": [{"Address": "10.0.0.9", "Port": 6379}]}),
        ("StartMigration", "us-east-1", {**sl, "AutoCutover": False}),
        ("StopMigration", "us-east-1", sl),
        ("CompleteMigration", "us-east-1", {**sl, "Force": True}),
        ("CreateServerlessCacheSnapshot", "us-east-1", {**sl, "ServerlessCacheSnapshotName": "conf-sl-snap"}),
        ADVANCE,
        ("CopyServerlessCacheSnapshot", "us-east-1", {
            "SourceServerlessCacheSnapshotName": "conf-sl-snap", "TargetServerlessCacheSnapshotName": "conf-sl-snap2"}),
        ("DescribeServerlessCacheSnapshots", "us-east-1", {}),
        ADVANCE,
        ("ExportServerlessCacheSnapshot", "us-east-1", {
            "ServerlessCacheSnapshotName": "conf-sl-snap", "S3BucketName": "conf-exports"}),
        ("DeleteServerlessCacheSnapshot", "us-east-1", {"ServerlessCacheSnapshotName": "conf-sl-snap2"}),
        ("DeleteServerlessCache", "us-east-1", sl),
        ("CreateGlobalReplicationGroup", "us-east-1", {
            "GlobalReplicationGroupIdSuffix": "conf", "PrimaryReplicationGroupId": "conf-cm"}),
        ADVANCE,
        ("DescribeGlobalReplicationGroups", "us-east-1", {"ShowMemberInfo": True}),
        ("ModifyGlobalReplicationGroup", "us-east-1", lambda: {
            **gid(), "ApplyImmediately": True, "GlobalReplicationGroupDescription": "d"}),
        ADVANCE,
        ("IncreaseNodeGroupsInGlobalReplicationGroup", "us-east-1", lambda: {
            **gid(), "NodeGroupCount": 4, "ApplyImmediately": True}),
        ADVANCE,
        ("DecreaseNodeGroupsInGlobalReplicationGroup", "us-east-1", lambda: {
            **gid(), "NodeGroupCount": 3, "ApplyImmediately": True}),
        ADVANCE,
        ("RebalanceSlotsInGlobalReplicationGroup", "us-east-1", lambda: {**gid(), "ApplyImmediately": True}),
        ADVANCE,
        ("CreateReplicationGroup", "us-west-2", lambda: {
            "ReplicationGroupId": "conf-west", "ReplicationGroupDescription": "d", **gid(),
            "NumNodeGroups": 3, "ReplicasPerNodeGroup": 1}),
        ADVANCE,
        ("FailoverGlobalReplicationGroup", "us-east-1", lambda: {
            **gid(), "PrimaryRegion": "us-west-2", "PrimaryReplicationGroupId": "conf-west"}),
        ADVANCE,
        ("DisassociateGlobalReplicationGroup", "us-east-1", lambda: {
            **gid(), "ReplicationGroupId": "conf-cm", "ReplicationGroupRegion": "us-east-1"}),
        ADVANCE,
        ("DeleteGlobalReplicationGroup", "us-west-2", lambda: {**gid(), "RetainPrimaryReplicationGroup": True}),
        ("DescribeReservedCacheNodesOfferings", "us-east-1", {"CacheNodeType": "cache.t3.micro", "Duration": "1"}),
        ("PurchaseReservedCacheNodesOffering", "us-east-1", lambda: {
            "ReservedCacheNodesOfferingId": state["offering"], "ReservedCacheNodeId": "conf-ri"}),
        ("DescribeReservedCacheNodes", "us-east-1", {}),
        ("DescribeServiceUpdates", "us-east-1", {}),
        ("DescribeUpdateActions", "us-east-1", {}),
        ("BatchApplyUpdateAction", "us-east-1", {"ServiceUpdateName": "elc-20261001-001", "ReplicationGroupIds": ["conf-rg"]}),
        ("BatchStopUpdateAction", "us-east-1", {"ServiceUpdateName": "elc-20261001-001", "ReplicationGroupIds": ["conf-rg"]}),
        ("TestMigration", "us-east-1", {**rg, "CustomerNodeEndpointList": [{"Address": "10.0.0.9", "Port": 6379}]}),
        ("StartMigration", "us-east-1", {**rg, "CustomerNodeEndpointList": [{"Address": "10.0.0.9", "Port": 6379}]}),
        ("CompleteMigration", "us-east-1", rg),
        ADVANCE,
        ("DeleteReplicationGroup", "us-east-1", rg),
        ("DeleteCacheCluster", "us-east-1", {"CacheClusterId": "conf-c"}),
        ("DeleteCacheSecurityGroup", "us-east-1", {"CacheSecurityGroupName": "conf-sg"}),
        ("DeleteCacheSubnetGroup", "us-east-1", {"CacheSubnetGroupName": "conf-sn"}),
        ("DeleteCacheParameterGroup", "us-east-1", {"CacheParameterGroupName": "conf-pg"}),
    ]


NOPE = {"CacheClusterId": "nope"}
INVALID = {
    "AddTagsToResource": {"ResourceName": f"{EAST}:cluster:nope", "Tags": [{"Key": "k", "Value": "v"}]},
    "AuthorizeCacheSecurityGroupIngress": {
        "CacheSecurityGroupName": "nope", "EC2SecurityGroupName": "w", "EC2SecurityGroupOwnerId": "123456789012"},
    "BatchApplyUpdateAction": {"ServiceUpdateName": "nope", "ReplicationGroupIds": ["x"]},
    "BatchStopUpdateAction": {"ServiceUpdateName": "nope", "ReplicationGroupIds": ["x"]},
    "CompleteMigration": {"ReplicationGroupId": "nope"},
    "PrepareMigration": {"ServerlessCacheName": "nope", "CustomerNodeEndpointList": [{"Address": "10.0.0.9", "Port": 1}]},
    "StopMigration": {"ServerlessCacheName": "nope"},
    "CopyServerlessCacheSnapshot": {"SourceServerlessCacheSnapshotName": "nope", "TargetServerlessCacheSnapshotName": "x"},
    "CopySnapshot": {"SourceSnapshotName": "nope", "TargetSnapshotName": "x"},
    "CreateCacheCluster": {"CacheClusterId": "a--b", "Engine": "redis", "CacheNodeType": "cache.t3.micro"},
    "CreateCacheParameterGroup": {"CacheParameterGroupName": "x", "CacheParameterGroupFamily": "nope9", "Description": "d"},
    "CreateCacheSecurityGroup": {"CacheSecurityGroupName": "default", "Description": "d"},
    "CreateCacheSubnetGroup": {"CacheSubnetGroupName": "x", "CacheSubnetGroupDescription": "d", "SubnetIds": ["bogus"]},
    "CreateGlobalReplicationGroup": {"GlobalReplicationGroupIdSuffix": "x", "PrimaryReplicationGroupId": "nope"},
    "CreateReplicationGroup": {"ReplicationGroupId": "x", "ReplicationGroupDescription": "d", "GlobalReplicationGroupId": "nope"},
    "CreateServerlessCache": {"ServerlessCacheName": "x", "Engine": "oracle"},
    "CreateServerlessCacheSnapshot": {"ServerlessCacheName": "nope", "ServerlessCacheSnapshotName": "x"},
    "CreateSnapshot": {"CacheClusterId": "nope", "SnapshotName": "x"},
    "CreateUser": {"UserId": "x", "UserName": "x", "Engine": "redis", "AccessString": "bogus", "NoPasswordRequired": True},
    "CreateUserGroup": {"UserGroupId": "x", "Engine": "redis", "UserIds": ["nope"]},
    "DecreaseNodeGroupsInGlobalReplicationGroup": {"GlobalReplicationGroupId": "nope", "NodeGroupCount": 1, "ApplyImmediately": True},
    "DecreaseReplicaCount": {"ReplicationGroupId": "nope", "NewReplicaCount": 1, "ApplyImmediately": True},
    "DeleteCacheCluster": NOPE,
    "DeleteCacheParameterGroup": {"CacheParameterGroupName": "nope"},
    "DeleteCacheSecurityGroup": {"CacheSecurityGroupName": "nope"},
    "DeleteCacheSubnetGroup": {"CacheSubnetGroupName": "nope"},
    "DeleteGlobalReplicationGroup": {"GlobalReplicationGroupId": "nope", "RetainPrimaryReplicationGroup": True},
    "DeleteReplicationGroup": {"ReplicationGroupId": "nope"},
    "DeleteServerlessCache": {"ServerlessCacheName": "nope"},
    "DeleteServerlessCacheSnapshot": {"ServerlessCacheSnapshotName": "nope"},
    "DeleteSnapshot": {"SnapshotName": "nope"},
    "DeleteUser": {"UserId": "nope"},
    "DeleteUserGroup": {"UserGroupId": "nope"},
    "DescribeCacheClusters": NOPE,
    "DescribeCacheParameterGroups": {"CacheParameterGroupName": "nope"},
    "DescribeCacheParameters": {"CacheParameterGroupName": "nope"},
    "DescribeCacheSecurityGroups": {"CacheSecurityGroupName": "nope"},
    "DescribeCacheSubnetGroups": {"CacheSubnetGroupName": "nope"},
    "DescribeEngineDefaultParameters": {"CacheParameterGroupFamily": "nope9"},
    "DescribeEvents": {"MaxRecords": 5},
    "DescribeGlobalReplicationGroups": {"GlobalReplicationGroupId": "nope"},
    "DescribeReplicationGroups": {"ReplicationGroupId": "nope"},
    "DescribeReservedCacheNodes": {"ReservedCacheNodeId": "nope"},
    "DescribeReservedCacheNodesOfferings": {"ReservedCacheNodesOfferingId": "nope"},
    "DescribeServerlessCacheSnapshots": {"ServerlessCacheSnapshotName": "nope"},
    "DescribeServerlessCaches": {"ServerlessCacheName": "nope"},
    "DescribeServiceUpdates": {"ServiceUpdateName": "nope"},
    "DescribeSnapshots": {"SnapshotName": "nope"},
    "DescribeUpdateActions": {"MaxRecords": 5},
    "DescribeUserGroups": {"UserGroupId": "nope"},
    "DescribeUsers": {"UserId": "nope"},
    "DisassociateGlobalReplicationGroup": {
        "GlobalReplicationGroupId": "nope", "ReplicationGroupId": "x", "ReplicationGroupRegion": "us-east-1"},
    "ExportServerlessCacheSnapshot": {"ServerlessCacheSnapshotName": "nope", "S3BucketName": "b"},
    "FailoverGlobalReplicationGroup": {
        "GlobalReplicationGroupId": "nope", "PrimaryRegion": "us-east-1", "PrimaryReplicationGroupId": "x"},
    "IncreaseNodeGroupsInGlobalReplicationGroup": {"GlobalReplicationGroupId": "nope", "NodeGroupCount": 2, "ApplyImmediately": True},
    "IncreaseReplicaCount": {"ReplicationGroupId": "nope", "NewReplicaCount": 2, "ApplyImmediately": True},
    "ListAllowedNodeTypeModifications": NOPE,
    "ListTagsForResource": {"ResourceName": "arn:aws:s3:::bucket"},
    "ModifyCacheCluster": NOPE,
    "ModifyCacheParameterGroup": {
        "CacheParameterGroupName": "nope", "ParameterNameValues": [{"ParameterName": "a", "ParameterValue": "b"}]},
    "ModifyCacheSubnetGroup": {"CacheSubnetGroupName": "nope"},
    "ModifyGlobalReplicationGroup": {"GlobalReplicationGroupId": "nope", "ApplyImmediately": True},
    "ModifyReplicationGroup": {"ReplicationGroupId": "nope"},
    "ModifyReplicationGroupShardConfiguration": {"ReplicationGroupId": "nope", "NodeGroupCount": 2, "ApplyImmediately": True},
    "ModifyServerlessCache": {"ServerlessCacheName": "nope"},
    "ModifyUser": {"UserId": "nope"},
    "ModifyUserGroup": {"UserGroupId": "nope"},
    "PurchaseReservedCacheNodesOffering": {"ReservedCacheNodesOfferingId": "nope"},
    "RebalanceSlotsInGlobalReplicationGroup": {"GlobalReplicationGroupId": "nope", "ApplyImmediately": True},
    "RebootCacheCluster": {"CacheClusterId": "nope", "CacheNodeIdsToReboot": ["0001"]},
    "RemoveTagsFromResource": {"ResourceName": f"{EAST}:cluster:nope", "TagKeys": ["k"]},
    "ResetCacheParameterGroup": {"CacheParameterGroupName": "nope", "ResetAllParameters": True},
    "RevokeCacheSecurityGroupIngress": {
        "CacheSecurityGroupName": "nope", "EC2SecurityGroupName": "w", "EC2SecurityGroupOwnerId": "123456789012"},
    "StartMigration": {"ReplicationGroupId": "nope", "CustomerNodeEndpointList": [{"Address": "10.0.0.9", "Port": 6379}]},
    "TestFailover": {"ReplicationGroupId": "nope", "NodeGroupId": "0001"},
    "TestMigration": {"ReplicationGroupId": "nope", "CustomerNodeEndpointList": [{"Address": "10.0.0.9", "Port": 6379}]},
}


def call(client, operation, kwargs):
    """Calls `operation` through the boto3 method botocore names for it."""
    method = {api: name for name, api in client.meta.method_to_api_mapping.items()}[operation]
    return getattr(client, method)(**kwargs)


def test_every_operation_answers_in_the_models_output_shape(fresh_server):
    server = fresh_server()
    clients = {region: server.client("elasticache", region=region) for region in ("us-east-1", "us-west-2")}
    s3 = server.client("s3")
    s3.create_bucket(Bucket="conf-exports")
    server.let_elasticache_export_to("conf-exports")
    state = {}
    called = set()
    validator = ParamValidator()
    for step in valid_steps(state):
        if step == ADVANCE:
            server.advance(10)
            continue
        operation, region, kwargs = step
        kwargs = kwargs() if callable(kwargs) else kwargs
        response = call(clients[region], operation, kwargs)
        response.pop("ResponseMetadata", None)
        output = MODEL.operation_model(operation).output_shape
        if output is not None:
            report = validator.validate(response, output)
            assert not report.has_errors(), (operation, report.generate_report())
        else:
            assert response == {}, operation
        if operation == "CreateGlobalReplicationGroup":
            state["gid"] = response["GlobalReplicationGroup"]["GlobalReplicationGroupId"]
        if operation == "DescribeReservedCacheNodesOfferings":
            state["offering"] = response["ReservedCacheNodesOfferings"][0]["ReservedCacheNodesOfferingId"]
        called.add(operation)
    assert called == set(MODEL.operation_names), sorted(set(MODEL.operation_names) - called)
    assert len(called) == 77


def test_every_operation_refuses_invalid_input_with_a_documented_error(fresh_server):
    server = fresh_server()
    client = server.client("elasticache")
    documented = {}
    for operation in MODEL.operation_names:
        shapes = MODEL.operation_model(operation).error_shapes
        documented[operation] = {s.metadata.get("error", {}).get("code", s.name) for s in shapes}
    # An operation that documents no error cannot be checked against one (the model's own list).
    assert set(INVALID) == {op for op, codes in documented.items() if codes}
    seen = {}
    for operation, kwargs in INVALID.items():
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            call(client, operation, kwargs)
        code = excinfo.value.response["Error"]["Code"]
        assert code in documented[operation], (operation, code, sorted(documented[operation]))
        seen[operation] = code
    assert len(seen) == len(INVALID) == 76
