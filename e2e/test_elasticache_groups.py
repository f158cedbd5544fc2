"""Parameter, subnet and security groups, the service's event log, node type modifications."""

import uuid

import botocore.exceptions
import pytest


def code(excinfo):
    return excinfo.value.response["Error"]["Code"]


@pytest.fixture
def ec(server):
    return server.client("elasticache")


def test_parameter_groups(ec):
    families = {g["CacheParameterGroupFamily"] for g in ec.describe_cache_parameter_groups()["CacheParameterGroups"]}
    assert {"memcached1.6", "redis7", "valkey7", "valkey8"} <= families
    defaults = ec.describe_engine_default_parameters(CacheParameterGroupFamily="redis7")["EngineDefaults"]
    by_name = {p["ParameterName"]: p for p in defaults["Parameters"]}
    assert by_name["maxmemory-policy"]["ParameterValue"] == "volatile-lru"
    assert by_name["databases"]["ChangeType"] == "requires-reboot"
    name = f"pg-{uuid.uuid4().hex[:8]}"
    ec.create_cache_parameter_group(CacheParameterGroupName=name, CacheParameterGroupFamily="redis7", Description="mine")
    ec.modify_cache_parameter_group(
        CacheParameterGroupName=name, ParameterNameValues=[{"ParameterName": "maxmemory-policy", "ParameterValue": "allkeys-lru"}]
    )
    user = ec.describe_cache_parameters(CacheParameterGroupName=name, Source="user")["Parameters"]
    assert [(p["ParameterName"], p["ParameterValue"], p["Source"]) for p in user] == [("maxmemory-policy", "allkeys-lru", "user")]
    paginator = ec.get_paginator("describe_cache_parameters")
    all_params = [p for page in paginator.paginate(CacheParameterGroupName=name, PaginationConfig={"PageSize": 20}) for p in page["Parameters"]]
    assert len(all_params) == len(by_name) and len({p["ParameterName"] for p in all_params}) == len(all_params)
    for bad, error in [
        ({"ParameterName": "maxmemory-policy", "ParameterValue": "random"}, "InvalidParameterValue"),
        ({"ParameterName": "maxclients", "ParameterValue": "10"}, "InvalidParameterValue"),
        ({"ParameterName": "no-such", "ParameterValue": "1"}, "InvalidParameterValue"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            ec.modify_cache_parameter_group(CacheParameterGroupName=name, ParameterNameValues=[bad])
        assert code(excinfo) == error
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.modify_cache_parameter_group(
            CacheParameterGroupName="default.redis7", ParameterNameValues=[{"ParameterName": "timeout", "ParameterValue": "30"}]
        )
    assert code(excinfo) == "InvalidCacheParameterGroupState"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.create_cache_parameter_group(CacheParameterGroupName=name, CacheParameterGroupFamily="redis7", Description="again")
    assert code(excinfo) == "CacheParameterGroupAlreadyExists"
    # A cluster may only use a group of its engine version's family, and an in-use group stays.
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.create_cache_cluster(CacheClusterId=f"m-{name}", Engine="memcached", CacheNodeType="cache.t3.micro", CacheParameterGroupName=name)
    assert code(excinfo) == "InvalidParameterCombination"
    ec.create_cache_cluster(CacheClusterId=f"r-{name}", Engine="redis", CacheNodeType="cache.t3.micro", CacheParameterGroupName=name)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.delete_cache_parameter_group(CacheParameterGroupName=name)
    assert code(excinfo) == "InvalidCacheParameterGroupState"
    ec.reset_cache_parameter_group(CacheParameterGroupName=name, ResetAllParameters=True)
    assert ec.describe_cache_parameters(CacheParameterGroupName=name, Source="user")["Parameters"] == []
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.describe_cache_parameters(CacheParameterGroupName="nope")
    assert code(excinfo) == "CacheParameterGroupNotFound"


def test_subnet_and_security_groups(ec):
    name = f"sn-{uuid.uuid4().hex[:8]}"
    group = ec.create_cache_subnet_group(
        CacheSubnetGroupName=name, CacheSubnetGroupDescription="two", SubnetIds=["subnet-aaaa1111", "subnet-bbbb2222"]
    )["CacheSubnetGroup"]
    assert [s["SubnetAvailabilityZone"]["Name"] for s in group["Subnets"]] == ["us-east-1a", "us-east-1b"]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.create_cache_subnet_group(CacheSubnetGroupName=f"{name}-x", CacheSubnetGroupDescription="bad", SubnetIds=["sn-1"])
    assert code(excinfo) == "InvalidSubnet"
    cluster_id = f"c-{name}"
    ec.create_cache_cluster(CacheClusterId=cluster_id, Engine="memcached", CacheNodeType="cache.t3.micro", CacheSubnetGroupName=name)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.delete_cache_subnet_group(CacheSubnetGroupName=name)
    assert code(excinfo) == "CacheSubnetGroupInUse"
    modified = ec.modify_cache_subnet_group(CacheSubnetGroupName=name, CacheSubnetGroupDescription="changed")["CacheSubnetGroup"]
    assert modified["CacheSubnetGroupDescription"] == "changed"

    sg = f"sg-{uuid.uuid4().hex[:8]}"
    ec.create_cache_security_group(CacheSecurityGroupName=sg, Description="mine")
    authorized = ec.authorize_cache_security_group_ingress(
        CacheSecurityGroupName=sg, EC2SecurityGroupName="web", EC2SecurityGroupOwnerId="000000000000"
    )["CacheSecurityGroup"]
    assert authorized["EC2SecurityGroups"] == [{"Status": "authorized", "EC2SecurityGroupName": "web", "EC2SecurityGroupOwnerId": "000000000000"}]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.authorize_cache_security_group_ingress(CacheSecurityGroupName=sg, EC2SecurityGroupName="web", EC2SecurityGroupOwnerId="000000000000")
    assert code(excinfo) == "AuthorizationAlreadyExists"
    ec.revoke_cache_security_group_ingress(CacheSecurityGroupName=sg, EC2SecurityGroupName="web", EC2SecurityGroupOwnerId="000000000000")
    names = {g["CacheSecurityGroupName"] for g in ec.describe_cache_security_groups()["CacheSecurityGroups"]}
    assert {"default", sg} <= names
    ec.delete_cache_security_group(CacheSecurityGroupName=sg)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.describe_cache_security_groups(CacheSecurityGroupName=sg)
    assert code(excinfo) == "CacheSecurityGroupNotFound"


def test_service_events_and_node_type_modifications(server, ec):
    cid = f"ev-{uuid.uuid4().hex[:8]}"
    ec.create_cache_cluster(CacheClusterId=cid, Engine="memcached", CacheNodeType="cache.t3.micro", NumCacheNodes=1)
    server.advance(10)
    ec.modify_cache_cluster(CacheClusterId=cid, NumCacheNodes=2, ApplyImmediately=True)
    server.advance(10)
    messages = [e["Message"] for e in ec.describe_events(SourceIdentifier=cid, SourceType="cache-cluster")["Events"]]
    assert messages == ["Cache cluster created", "Added cache node 0002 in availability zone us-east-1a"]
    server.advance(2 * 3600)
    assert ec.describe_events(SourceIdentifier=cid)["Events"] == []
    assert len(ec.describe_events(SourceIdentifier=cid, Duration=24 * 60)["Events"]) == 2
    server.advance(15 * 86400)
    assert ec.describe_events(SourceIdentifier=cid, Duration=30 * 24 * 60)["Events"] == []

    rid = f"nt-{uuid.uuid4().hex[:8]}"
    ec.create_cache_cluster(CacheClusterId=rid, Engine="valkey", CacheNodeType="cache.r6g.large")
    allowed = ec.list_allowed_node_type_modifications(CacheClusterId=rid)
    assert "cache.r6g.xlarge" in allowed["ScaleUpModifications"] and "cache.r6g.large" not in allowed["ScaleUpModifications"]
    # As AWS lists them: across families, down to any type with less memory.
    assert "cache.t4g.small" in allowed["ScaleDownModifications"]
    assert "cache.r6g.xlarge" not in allowed["ScaleDownModifications"]
