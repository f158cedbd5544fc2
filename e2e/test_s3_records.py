"""S3 records in CloudTrail's own S3 format: requestParameters in the wire's names with Host,
and additionalEventData with the bytes each call moved (what exfiltration detections sum)."""

import json
import sqlite3
import threading
import time
import uuid

from test_delivery import new_bucket, records_in


def management_record(server, event_name, bucket):
    events = server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": event_name}], MaxResults=50
    )["Events"]
    for event in events:
        record = json.loads(event["CloudTrailEvent"])
        if (record.get("requestParameters") or {}).get("bucketName") == bucket:
            return record
    raise AssertionError(f"no {event_name} record for {bucket}")


def test_bucket_configuration_records_keep_s3s_element_names(server):
    s3 = server.client("s3")
    bucket = f"records-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={"Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
                                           "Expiration": {"Days": 30}}]},
    )
    record = management_record(server, "PutBucketLifecycle", bucket)
    parameters = record["requestParameters"]
    assert parameters["Host"].startswith("127.0.0.1:") and parameters["lifecycle"] == ""
    configuration = parameters["LifecycleConfiguration"]
    assert configuration["xmlns"] == "http://s3.amazonaws.com/doc/2006-03-01/"
    assert configuration["Rule"][0]["Expiration"] == {"Days": 30}
    assert configuration["Rule"][0]["Filter"] == {"Prefix": "tmp/"}
    extra = record["additionalEventData"]
    assert extra["SignatureVersion"] == "SigV4" and extra["AuthenticationMethod"] == "AuthHeader"
    assert extra["bytesTransferredIn"] > 0 and extra["bytesTransferredOut"] == 0
    assert extra["x-amz-id-2"]

    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": f"arn:aws:s3:::{bucket}",
    }]}
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy, indent=2))
    parameters = management_record(server, "PutBucketPolicy", bucket)["requestParameters"]
    assert parameters["bucketPolicy"] == policy and parameters["policy"] == ""


def test_data_events_carry_the_bytes_each_call_moved(fresh_server):
    server = fresh_server()  # its own: the shared server's account is at its trail quota
    bucket = new_bucket(server)
    data_bucket = f"bytes-{uuid.uuid4().hex[:10]}"
    s3 = server.client("s3")
    s3.create_bucket(Bucket=data_bucket)
    ct = server.client("cloudtrail")
    name = f"bytes-{uuid.uuid4().hex[:6]}"
    ct.create_trail(Name=name, S3BucketName=bucket)
    ct.put_event_selectors(TrailName=name, EventSelectors=[{
        "ReadWriteType": "All", "IncludeManagementEvents": False,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{data_bucket}/"]}],
    }])
    ct.start_logging(Name=name)
    body = b"z" * 5000
    put = s3.put_object(Bucket=data_bucket, Key="dump.bin", Body=body)
    got = s3.get_object(Bucket=data_bucket, Key="dump.bin", Range="bytes=0-999")
    got["Body"].read()
    listed = s3.list_objects_v2(Bucket=data_bucket)
    server.advance(301)
    found = {r["requestID"]: r for _, r in records_in(server, bucket)}
    put_record = found[put["ResponseMetadata"]["RequestId"]]
    assert put_record["additionalEventData"]["bytesTransferredIn"] == 5000
    assert put_record["requestParameters"]["key"] == "dump.bin"
    get_record = found[got["ResponseMetadata"]["RequestId"]]
    assert get_record["additionalEventData"]["bytesTransferredOut"] == 1000
    list_record = found[listed["ResponseMetadata"]["RequestId"]]
    assert list_record["eventName"] == "ListObjects" and list_record["requestParameters"]["list-type"] == "2"


def test_elasticache_exports_are_the_bucket_owners_service_events(fresh_server):
    server = fresh_server()
    trail_bucket = new_bucket(server)
    s3, ec, ct = server.client("s3"), server.client("elasticache"), server.client("cloudtrail")
    s3.create_bucket(Bucket="exports-seen")
    server.let_elasticache_export_to("exports-seen")
    ct.create_trail(Name="exports", S3BucketName=trail_bucket)
    ct.put_event_selectors(TrailName="exports", EventSelectors=[{
        "ReadWriteType": "All", "IncludeManagementEvents": False,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::exports-seen/"]}]}])
    ct.start_logging(Name="exports")
    ec.create_cache_cluster(CacheClusterId="exported", Engine="redis", CacheNodeType="cache.t3.micro")
    server.advance(10)
    ec.create_snapshot(CacheClusterId="exported", SnapshotName="daily")
    server.advance(10)
    ec.copy_snapshot(SourceSnapshotName="daily", TargetSnapshotName="copy", TargetBucket="exports-seen")
    server.advance(301)
    writes = [r for _, r in records_in(server, trail_bucket)
              if r["eventName"] == "PutObject" and r["requestParameters"]["key"] == "copy-0001.rdb"]
    assert len(writes) == 1
    write = writes[0]
    assert write["userIdentity"]["type"] == "AWSService"
    assert write["userIdentity"]["invokedBy"] == "elasticache.amazonaws.com"
    assert write["eventType"] == "AwsApiCall" and write["eventCategory"] == "Data"
    assert write["recipientAccountId"] == "000000000000"


def test_cloudtrails_own_deliveries_are_logged_unless_recursive_logging_is_off(fresh_server):
    server = fresh_server()
    ct = server.client("cloudtrail")
    # Two trails, each selecting its own bucket's data events; one with RecursiveLogging off
    # (AWS's default is on).
    buckets = {}
    for name, recursive in (("loud", True), ("quiet", False)):
        buckets[name] = new_bucket(server)
        trail = ct.create_trail(Name=name, S3BucketName=buckets[name], RecursiveLogging=recursive)
        assert trail["RecursiveLogging"] is recursive
        ct.put_event_selectors(TrailName=name, EventSelectors=[{
            "ReadWriteType": "WriteOnly", "IncludeManagementEvents": True,
            "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{buckets[name]}/"]}]}])
        ct.start_logging(Name=name)
    assert ct.get_trail(Name="quiet")["Trail"]["RecursiveLogging"] is False
    server.advance(301)  # the first files land: their PutObjects are events for the next ones
    first = {key for key, _ in records_in(server, buckets["loud"])}
    assert first
    server.advance(301)

    def own_writes(name):
        return [r for _, r in records_in(server, buckets[name])
                if r["eventName"] == "PutObject" and r["userIdentity"].get("invokedBy") == "cloudtrail.amazonaws.com"]

    writes = own_writes("loud")
    assert writes, "the loud trail logs CloudTrail's own deliveries into its bucket"
    assert all(w["userIdentity"]["type"] == "AWSService" and w["eventCategory"] == "Data" for w in writes)
    assert {w["requestParameters"]["key"] for w in writes} & first
    assert all(w["requestParameters"]["bucketName"] == buckets["loud"] for w in writes)
    assert own_writes("quiet") == []
    # Turned off later, the loud trail stops logging them too.
    ct.update_trail(Name="loud", RecursiveLogging=False)
    before = {w["eventID"] for w in own_writes("loud")}
    server.advance(301)
    server.advance(301)
    assert {w["eventID"] for w in own_writes("loud")} == before


def journal_indexed(server, deadline=30.0):
    """Returns once the server's journal index (its own file, filled some 250 ms after commits)
    holds every journaled event; fails after `deadline` seconds."""
    give_up = time.monotonic() + deadline
    while True:
        state = sqlite3.connect(f"file:{server.data_dir / 'state.sqlite'}?mode=ro", uri=True)
        newest = state.execute("SELECT MAX(seq) FROM events").fetchone()[0]
        state.close()
        index = sqlite3.connect(f"file:{server.data_dir / 'journal-index.sqlite'}?mode=ro", uri=True)
        done = index.execute("SELECT seq FROM progress").fetchone()[0]
        index.close()
        if done >= newest:
            return
        assert time.monotonic() < give_up, f"the journal index stayed at {done} of {newest}"
        threading.Event().wait(0.05)


def test_event_history_without_attributes_passes_over_data_events(fresh_server):
    """Object events a trail selects are journaled between management events, and event history
    answers management events only: a lookup without attributes through the AWS CLI (paging with
    NextToken) finds the users created before and after 300 uploads (more than one of the journal
    index's blocks of 256 positions) next to each other, before and after the index holds them."""
    server = fresh_server()
    bucket = new_bucket(server)
    data_bucket = f"uploads-{uuid.uuid4().hex[:10]}"
    s3, iam, ct = server.client("s3"), server.client("iam"), server.client("cloudtrail")
    s3.create_bucket(Bucket=data_bucket)
    ct.create_trail(Name="uploads", S3BucketName=bucket)
    ct.put_event_selectors(TrailName="uploads", EventSelectors=[{
        "ReadWriteType": "All", "IncludeManagementEvents": True,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{data_bucket}/"]}]}])
    ct.start_logging(Name="uploads")
    iam.create_user(UserName="before-uploads")
    uploads = {s3.put_object(Bucket=data_bucket, Key=f"o-{i}", Body=b"x")["ResponseMetadata"]["RequestId"]
               for i in range(300)}
    iam.create_user(UserName="after-uploads")

    def history():
        events = server.cli("cloudtrail", "lookup-events")["Events"]
        records = [json.loads(event["CloudTrailEvent"]) for event in events]
        assert not uploads & {record["requestID"] for record in records}
        assert all(record["managementEvent"] for record in records)
        created = [i for i, record in enumerate(records) if record["eventName"] == "CreateUser"]
        assert [records[i]["requestParameters"]["userName"] for i in created] == ["after-uploads", "before-uploads"]
        return created

    unindexed = history()
    journal_indexed(server)
    indexed = history()
    assert unindexed[1] - unindexed[0] == 1 and indexed[1] - indexed[0] == 1
