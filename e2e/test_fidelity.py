"""Answers and records as AWS gives them, where they differed (issue: fidelity)."""

import json
import uuid


def test_empty_optional_elasticache_parameters_are_not_given(server):
    ec = server.client("elasticache")
    name = f"empty-{uuid.uuid4().hex[:6]}"
    # What a widely used provisioning module sends by default.
    created = ec.create_cache_cluster(
        CacheClusterId=name, Engine="redis", CacheNodeType="cache.t4g.small", EngineVersion="",
        CacheParameterGroupName="", NumCacheNodes=1,
    )["CacheCluster"]
    assert created["CacheClusterId"] == name and created["EngineVersion"]


def test_trail_status_and_empty_answers_as_aws_gives_them(server):
    s3 = server.client("s3")
    bucket = f"fidelity-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    from test_delivery import trail_policy

    s3.put_bucket_policy(Bucket=bucket, Policy=trail_policy(bucket, ["000000000000"]))
    ct = server.client("cloudtrail")
    name = f"fid-{uuid.uuid4().hex[:6]}"
    ct.create_trail(Name=name, S3BucketName=bucket)
    status = ct.get_trail_status(Name=name)
    for field in ("LatestDeliveryAttemptTime", "LatestNotificationAttemptTime", "TimeLoggingStarted",
                  "TimeLoggingStopped", "LatestDeliveryAttemptSucceeded", "LatestNotificationAttemptSucceeded"):
        assert status[field] == "", field
    started = ct.start_logging(Name=name)["ResponseMetadata"]["RequestId"]
    events = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "StartLogging"}])
    record = next(json.loads(e["CloudTrailEvent"]) for e in events["Events"]
                  if json.loads(e["CloudTrailEvent"])["requestID"] == started)
    assert record["responseElements"] is None
    ct.delete_trail(Name=name)
