"""ElastiCache cache clusters end to end, with the AWS CLI and boto3."""

import json
import subprocess
import uuid

import botocore.exceptions
import pytest

from conftest import BINARY, Server

FIXTURES = __import__("pathlib").Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "seed-records"
SEED_AGENT = "Amazon CLI/ElastiCache 1.10 API 2014-12-01"
# Values that AWS itself assigns per deployment or per call; everything else must equal the seed.
PER_DEPLOYMENT = {
    "eventVersion", "eventTime", "requestID", "eventID", "sourceIPAddress", "engineVersion",
    "cacheParameterGroupName", "clientDownloadLandingPage", "preferredMaintenanceWindow",
    "cacheClusterCreateTime", "address",
}


def error_of(excinfo):
    return excinfo.value.response["Error"]["Code"]


def covers(expected, actual, path=""):
    """Every field of `expected` is in `actual` with the same JSON type, and equal unless per call."""
    problems = []
    for key, value in expected.items():
        here = f"{path}.{key}" if path else key
        if key not in actual:
            problems.append(f"missing {here}")
            continue
        got = actual[key]
        if type(value) is not type(got):
            problems.append(f"{here}: type {type(value).__name__} != {type(got).__name__}")
        elif isinstance(value, dict):
            problems += covers(value, got, here)
        elif key not in PER_DEPLOYMENT and value != got:
            problems.append(f"{here}: {value!r} != {got!r}")
    return problems


def test_seed_replay_matches_the_seed_records(server):
    created = subprocess.run(
        [str(BINARY), "account", "create", "--data-dir", str(server.data_dir), "--id", "123456789012"],
        capture_output=True, text=True, timeout=60,
    )
    assert created.returncode == 0, created.stderr
    root = server.client("iam", *server.profile("123456789012"))
    root.create_user(UserName="elasticache-allow")
    key = root.create_access_key(UserName="elasticache-allow")["AccessKey"]
    root.put_user_policy(
        UserName="elasticache-allow", PolicyName="allow",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "elasticache:*", "Resource": "*"}]}),
    )
    ec = server.client("elasticache", key["AccessKeyId"], key["SecretAccessKey"], region="us-west-2")
    ec.meta.events.register("before-send.elasticache", lambda request, **_: request.headers.__setitem__("User-Agent", SEED_AGENT))
    calls = {}
    calls["CreateCacheCluster"] = ec.create_cache_cluster(
        NumCacheNodes=2, CacheClusterId="test-memcached", Engine="memcached", AZMode="cross-az", CacheNodeType="cache.m1.small"
    )
    server.advance(60)
    calls["DescribeCacheClusters"] = ec.describe_cache_clusters(ShowCacheNodeInfo=False, MaxRecords=100)
    calls["ModifyCacheCluster"] = ec.modify_cache_cluster(ApplyImmediately=True, NumCacheNodes=3, CacheClusterId="test-memcached")
    assert calls["ModifyCacheCluster"]["CacheCluster"]["CacheClusterStatus"] == "modifying"
    assert calls["ModifyCacheCluster"]["CacheCluster"]["NumCacheNodes"] == 2
    assert calls["ModifyCacheCluster"]["CacheCluster"]["PendingModifiedValues"] == {"NumCacheNodes": 3}
    trail = server.client("cloudtrail", *server.profile("123456789012"), region="us-west-2")
    events = trail.lookup_events(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "elasticache-allow"}])["Events"]
    records = {json.loads(e["CloudTrailEvent"])["requestID"]: json.loads(e["CloudTrailEvent"]) for e in events}
    for name, response in calls.items():
        record = records[response["ResponseMetadata"]["RequestId"]]
        expected = json.loads((FIXTURES / f"{name}.json").read_text())
        expected["userIdentity"]["principalId"] = record["userIdentity"]["principalId"]
        expected["userIdentity"]["accessKeyId"] = key["AccessKeyId"]
        assert covers(expected, record) == [], name
        assert record["userIdentity"]["principalId"].startswith("AIDA")


@pytest.fixture
def ec(server):
    return server.client("elasticache")


def new_id(prefix="c"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_lifecycle_on_the_manual_clock(server, ec):
    cid = new_id()
    ec.create_cache_cluster(CacheClusterId=cid, Engine="redis", CacheNodeType="cache.t3.micro", NumCacheNodes=1)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.reboot_cache_cluster(CacheClusterId=cid, CacheNodeIdsToReboot=["0001"])
    assert error_of(excinfo) == "InvalidCacheClusterState"
    server.advance(10)
    ec.get_waiter("cache_cluster_available").wait(CacheClusterId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    cluster = ec.describe_cache_clusters(CacheClusterId=cid, ShowCacheNodeInfo=True)["CacheClusters"][0]
    assert cluster["CacheNodes"][0]["Endpoint"]["Port"] == 6379 and cluster["EngineVersion"] == "7.1.0"
    assert cluster["CacheParameterGroup"]["CacheParameterGroupName"] == "default.redis7"
    assert ec.reboot_cache_cluster(CacheClusterId=cid, CacheNodeIdsToReboot=["0001"])["CacheCluster"]["CacheClusterStatus"] == "rebooting cache cluster nodes"
    server.advance(10)
    assert ec.delete_cache_cluster(CacheClusterId=cid)["CacheCluster"]["CacheClusterStatus"] == "deleting"
    server.advance(10)
    ec.get_waiter("cache_cluster_deleted").wait(CacheClusterId=cid, WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.describe_cache_clusters(CacheClusterId=cid)
    assert error_of(excinfo) == "CacheClusterNotFound"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_pending_changes_wait_for_the_maintenance_window(server, ec):
    cid = new_id()
    ec.create_cache_cluster(CacheClusterId=cid, Engine="memcached", CacheNodeType="cache.t3.micro", NumCacheNodes=3)
    server.advance(10)
    modified = ec.modify_cache_cluster(CacheClusterId=cid, NumCacheNodes=2, CacheNodeIdsToRemove=["0002"])["CacheCluster"]
    assert modified["CacheClusterStatus"] == "available"
    assert modified["PendingModifiedValues"] == {"NumCacheNodes": 2, "CacheNodeIdsToRemove": ["0002"]}
    server.advance(8 * 86400)  # a week later the window has passed
    cluster = ec.describe_cache_clusters(CacheClusterId=cid, ShowCacheNodeInfo=True)["CacheClusters"][0]
    assert cluster["CacheClusterStatus"] == "available" and cluster["NumCacheNodes"] == 2
    assert [n["CacheNodeId"] for n in cluster["CacheNodes"]] == ["0001", "0003"]
    assert cluster["PendingModifiedValues"] == {}


def test_errors_through_the_cli(server):
    cid = new_id()
    base = ["elasticache", "create-cache-cluster", "--cache-cluster-id", cid, "--engine", "memcached", "--cache-node-type", "cache.t3.micro", "--num-cache-nodes", "1"]
    server.cli(*base)
    cases = [
        (base, "CacheClusterAlreadyExists"),
        (["elasticache", "describe-cache-clusters", "--cache-cluster-id", "nope"], "CacheClusterNotFound"),
        (["elasticache", "modify-cache-cluster", "--cache-cluster-id", cid, "--num-cache-nodes", "2", "--apply-immediately"], "InvalidCacheClusterState"),
        (["elasticache", "create-cache-cluster", "--cache-cluster-id", "9-bad", "--engine", "memcached", "--cache-node-type", "cache.t3.micro"], "InvalidParameterValue"),
        (["elasticache", "create-cache-cluster", "--cache-cluster-id", "a--b", "--engine", "memcached", "--cache-node-type", "cache.t3.micro"], "InvalidParameterValue"),
        (["elasticache", "create-cache-cluster", "--cache-cluster-id", new_id(), "--engine", "redis", "--cache-node-type", "cache.t3.micro", "--num-cache-nodes", "2"], "InvalidParameterValue"),
        (["elasticache", "create-cache-cluster", "--cache-cluster-id", new_id(), "--engine", "redis", "--cache-node-type", "cache.t3.micro", "--az-mode", "cross-az"], "InvalidParameterCombination"),
        (["elasticache", "create-cache-cluster", "--cache-cluster-id", new_id(), "--engine", "memcached", "--cache-node-type", "cache.x9.huge"], "InvalidParameterValue"),
        (["elasticache", "create-cache-cluster", "--cache-cluster-id", new_id(), "--engine", "memcached", "--cache-node-type", "cache.t3.micro", "--engine-version", "0.1"], "InvalidParameterValue"),
        (["elasticache", "describe-cache-clusters", "--max-records", "10"], "InvalidParameterValue"),
        (["elasticache", "create-cache-cluster", "--cache-cluster-id", new_id(), "--engine", "memcached", "--cache-node-type", "cache.t3.micro", "--num-cache-nodes", "61"], "NodeQuotaForClusterExceeded"),
        (["elasticache", "list-tags-for-resource", "--resource-name", "arn:aws:s3:::bucket"], "InvalidARN"),
        (["elasticache", "describe-serverless-caches", "--serverless-cache-name", "missing"], "ServerlessCacheNotFoundFault"),
    ]
    for args, code in cases:
        result = server.cli(*args, check=False)
        assert result.returncode != 0 and f"({code})" in result.stderr, (args, result.stderr)


def test_tags(server, ec):
    cid = new_id()
    arn = ec.create_cache_cluster(
        CacheClusterId=cid, Engine="memcached", CacheNodeType="cache.t3.micro", Tags=[{"Key": "team", "Value": "audit"}]
    )["CacheCluster"]["ARN"]
    assert ec.list_tags_for_resource(ResourceName=arn)["TagList"] == [{"Key": "team", "Value": "audit"}]
    ec.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "env", "Value": "ci"}, {"Key": "team", "Value": "sec"}])
    tags = {t["Key"]: t["Value"] for t in ec.list_tags_for_resource(ResourceName=arn)["TagList"]}
    assert tags == {"team": "sec", "env": "ci"}
    ec.remove_tags_from_resource(ResourceName=arn, TagKeys=["team"])
    assert ec.list_tags_for_resource(ResourceName=arn)["TagList"] == [{"Key": "env", "Value": "ci"}]


def test_engine_versions(ec):
    versions = ec.describe_cache_engine_versions(Engine="valkey")["CacheEngineVersions"]
    assert {v["CacheParameterGroupFamily"] for v in versions} == {"valkey7", "valkey8", "valkey9"}
    defaults = ec.describe_cache_engine_versions(DefaultOnly=True)["CacheEngineVersions"]
    assert {v["Engine"] for v in defaults} == {"memcached", "redis", "valkey"}


def test_cli_waiter_and_paginator_over_250_clusters_and_restart(fresh_server):
    srv = fresh_server(clock="system", args=("--lifecycle-seconds", "0"))
    ec = srv.client("elasticache")
    srv.cli("elasticache", "create-cache-cluster", "--cache-cluster-id", "waited", "--engine", "memcached", "--cache-node-type", "cache.t3.micro")
    srv.cli("elasticache", "wait", "cache-cluster-available", "--cache-cluster-id", "waited")
    ids = [f"p-{i:03d}" for i in range(249)]
    for cid in ids:
        ec.create_cache_cluster(CacheClusterId=cid, Engine="memcached", CacheNodeType="cache.t3.micro")
    pages = ec.get_paginator("describe_cache_clusters").paginate(PaginationConfig={"PageSize": 20})
    seen = []
    for number, page in enumerate(pages):
        assert len(page["CacheClusters"]) <= 20
        seen += [c["CacheClusterId"] for c in page["CacheClusters"]]
        if number == 1:
            # Deleting an already-listed cluster and creating a new one mid-listing skips nothing.
            ec.delete_cache_cluster(CacheClusterId=ids[0])
            ec.create_cache_cluster(CacheClusterId="zz-late", Engine="memcached", CacheNodeType="cache.t3.micro")
    assert len(seen) == len(set(seen))
    assert set(ids + ["waited"]) <= set(seen) and "zz-late" in seen
    listed = srv.cli("elasticache", "describe-cache-clusters", "--page-size", "20")["CacheClusters"]
    assert len(listed) == 250
    srv.stop()
    again = Server(srv.data_dir, clock="system")
    try:
        after = again.client("elasticache").get_paginator("describe_cache_clusters").paginate()
        assert sum(len(p["CacheClusters"]) for p in after) == 250
    finally:
        again.stop()


def test_account_quotas_are_configurable(fresh_server):
    srv = fresh_server(args=("--cluster-quota", "2", "--node-quota", "3"))
    ec = srv.client("elasticache")
    ec.create_cache_cluster(CacheClusterId="q1", Engine="memcached", CacheNodeType="cache.t3.micro", NumCacheNodes=2)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.create_cache_cluster(CacheClusterId="q2", Engine="memcached", CacheNodeType="cache.t3.micro", NumCacheNodes=2)
    assert error_of(excinfo) == "NodeQuotaForCustomerExceeded"
    ec.create_cache_cluster(CacheClusterId="q2", Engine="memcached", CacheNodeType="cache.t3.micro", NumCacheNodes=1)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.create_cache_cluster(CacheClusterId="q3", Engine="memcached", CacheNodeType="cache.t3.micro")
    assert error_of(excinfo) == "ClusterQuotaForCustomerExceeded"


def test_delete_with_a_final_snapshot(server, ec):
    cid = new_id("snap")
    ec.create_cache_cluster(CacheClusterId=cid, Engine="redis", CacheNodeType="cache.t3.micro")
    server.advance(10)
    deleting = ec.delete_cache_cluster(CacheClusterId=cid, FinalSnapshotIdentifier=f"{cid}-final")["CacheCluster"]
    assert deleting["CacheClusterStatus"] == "deleting"
    snapshot = ec.describe_snapshots(SnapshotName=f"{cid}-final")["Snapshots"][0]
    assert snapshot["SnapshotStatus"] == "creating" and snapshot["CacheClusterId"] == cid and snapshot["Engine"] == "redis"
    server.advance(10)
    assert ec.describe_snapshots(CacheClusterId=cid)["Snapshots"][0]["SnapshotStatus"] == "available"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.describe_snapshots(SnapshotName="no-such-snapshot")
    assert error_of(excinfo) == "SnapshotNotFoundFault"
    mid = new_id("mem")
    ec.create_cache_cluster(CacheClusterId=mid, Engine="memcached", CacheNodeType="cache.t3.micro")
    server.advance(10)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ec.delete_cache_cluster(CacheClusterId=mid, FinalSnapshotIdentifier="nope")
    assert error_of(excinfo) == "InvalidParameterCombination"
