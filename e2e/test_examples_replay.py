"""AWS's own ElastiCache examples, replayed (issue: fidelity). Each example runs on a server of
its own, after the resources it names are created; its answer must have every member AWS's
printed answer has, of the same type and value format, in the state AWS shows right after the
call (see examples_replay.py). Inputs AWS itself outdated are rewritten, each with its reason."""

import json
import re

import botocore
import pytest

from examples_replay import ACCOUNT, SESSION, botocore_examples, differences, exists, untypo

MODEL = SESSION.get_service_model("elasticache")

# Rewrites of AWS's example inputs, each with why AWS's own example no longer runs as printed.
OUTDATED = [
    (re.compile(r'"(2\.8\.24|3\.2\.4)"'), '"6.2.6"', "Redis OSS 2.8 and 3.2 reached end of life; AWS creates neither"),
    (re.compile(r"redis2\.8"), "redis6.x", "the redis2.8 family went with Redis OSS 2.8"),
    (re.compile(r"redis3\.2\.cluster\.on"), "redis6.x.cluster.on", "the redis3.2 family went with Redis OSS 3.2"),
    (re.compile(r"cache\.r3\.larage"), "cache.r3.large", "a typo in AWS's example (AWS refuses it too)"),
    (re.compile(r'"custom-mem1-4  "'), '"custom-mem1-4"', "trailing blanks in AWS's example's cluster id"),
    (re.compile(r"1234567890|<my-account-id>"), ACCOUNT, "the example's account is not this server's"),
    (re.compile(r"arn:aws:elasticache:us-west-2:"), "arn:aws:elasticache:us-east-1:", "the replay runs in us-east-1"),
]
# Offering ids are AWS's catalog's: replaced by this server's offering of the same node type.
OFFERING = "ReservedCacheNodesOfferingId"


def rewrite(value):
    text = json.dumps(value)
    for pattern, replacement, _reason in OUTDATED:
        text = pattern.sub(replacement, text)
    return json.loads(text)


class Prerequisites:
    """Creates what an example names before it runs, on the example's own server."""

    def __init__(self, server):
        self.server = server
        self.ec = server.client("elasticache")

    def settle(self):
        self.server.advance(30)

    def cluster(self, name):
        if "-00" in name:  # a member of a replication group (`threenoderedis-001`)
            return self.group(name.rsplit("-", 1)[0], members=3)
        if exists(self.ec.describe_cache_clusters, CacheClusterId=name):
            return
        engine = "memcached" if "mem" in name else "redis"
        self.ec.create_cache_cluster(
            CacheClusterId=name, Engine=engine, CacheNodeType="cache.m5.large", NumCacheNodes=2 if engine == "memcached" else 1)
        self.settle()

    def group(self, name, members=2, failover=True):
        if exists(self.ec.describe_replication_groups, ReplicationGroupId=name):
            return
        if "cluster" in name:
            self.ec.create_replication_group(
                ReplicationGroupId=name, ReplicationGroupDescription="Redis cluster with 2 shards.", Engine="redis",
                CacheNodeType="cache.m5.large", NumNodeGroups=2, ReplicasPerNodeGroup=1)
        else:
            self.ec.create_replication_group(
                ReplicationGroupId=name, ReplicationGroupDescription="simple redis cluster", Engine="redis",
                CacheNodeType="cache.m5.large", NumCacheClusters=members, AutomaticFailoverEnabled=failover)
        self.settle()

    def snapshot(self, name):
        self.cluster("my-redis4")
        self.ec.create_snapshot(CacheClusterId="my-redis4", SnapshotName=name)
        self.settle()

    def parameter_group(self, name):
        family = "memcached1.4" if "mem" in name else "redis6.x"
        self.ec.create_cache_parameter_group(
            CacheParameterGroupName=name, CacheParameterGroupFamily=family, Description="replayed")
        if family == "redis6.x":  # DescribeCacheParameters Source=user lists what the user set
            self.ec.modify_cache_parameter_group(
                CacheParameterGroupName=name,
                ParameterNameValues=[{"ParameterName": "activerehashing", "ParameterValue": "yes"}])

    def offering(self, given):
        offerings = self.ec.describe_reserved_cache_nodes_offerings(CacheNodeType="cache.r3.large")
        return offerings["ReservedCacheNodesOfferings"][0]["ReservedCacheNodesOfferingId"] if given else given

    def prepare(self, operation, params, printed):
        """The example's input, with what it names (or lists) created first."""
        creates = operation.startswith("Create") and operation not in ("CreateSnapshot",)
        if "ResourceName" in params:
            self.cluster(params["ResourceName"].rsplit(":", 1)[-1])
            # The tags AWS's resource had (RemoveTagsFromResource's keys among them).
            had = printed.get("TagList", []) + [{"Key": k, "Value": "x"} for k in params.get("TagKeys", [])]
            if had and operation != "AddTagsToResource":
                self.ec.add_tags_to_resource(ResourceName=params["ResourceName"], Tags=had)
        if operation == "DescribeEvents":
            self.cluster("my-mem-cluster")  # its creation and availability are the events listed
        if operation == "DescribeReplicationGroups":
            self.group("my-redis-rg")
        if "CacheClusterId" in params and not creates:
            self.cluster(params["CacheClusterId"])
        if "ReplicationGroupId" in params and not creates:
            failover = printed.get("ReplicationGroup", {}).get("AutomaticFailover") != "disabled"
            self.group(params["ReplicationGroupId"], failover=failover)
        if operation in ("DeleteSnapshot", "DescribeSnapshots") and "SnapshotName" in params:
            self.snapshot(params["SnapshotName"])
        if "SourceSnapshotName" in params:
            self.snapshot(params["SourceSnapshotName"])
        if "CacheParameterGroupName" in params and not creates and "." not in params["CacheParameterGroupName"]:
            self.parameter_group(params["CacheParameterGroupName"])
        if "CacheSecurityGroupName" in params and not creates:
            self.ec.create_cache_security_group(CacheSecurityGroupName=params["CacheSecurityGroupName"], Description="d")
            if operation == "RevokeCacheSecurityGroupIngress":
                self.ec.authorize_cache_security_group_ingress(**params)
        if operation in ("ModifyCacheSubnetGroup", "DeleteCacheSubnetGroup"):
            self.ec.create_cache_subnet_group(
                CacheSubnetGroupName=params["CacheSubnetGroupName"], CacheSubnetGroupDescription="d",
                SubnetIds=["subnet-0a1b2c3d"])
        if params.get(OFFERING):
            params = {**params, OFFERING: self.offering(params[OFFERING])}
        return params


EXAMPLES = botocore_examples("elasticache", "2015-02-02")


@pytest.mark.parametrize(
    ("operation", "index", "given", "printed"), EXAMPLES, ids=[f"{op}-{i}" for op, i, _, _ in EXAMPLES])
def test_botocore_example_answers_as_aws_printed(fresh_server, operation, index, given, printed):
    server = fresh_server()
    printed = untypo(printed)
    params = Prerequisites(server).prepare(operation, rewrite(given), printed)
    client = server.client("elasticache")
    # The call succeeds (an example is a successful call) and answers what AWS printed.
    answer = getattr(client, botocore.xform_name(operation))(**params)
    shape = MODEL.operation_model(operation).output_shape
    if shape is not None:
        found = differences(printed, answer, shape)
        assert not found, "; ".join(found)
