"""Trails and log file delivery into the bucket, on the manual clock."""

import gzip
import json
import signal
import subprocess
import threading
import uuid

import botocore.exceptions
import pytest

from conftest import BINARY, Server


def trail_policy(bucket, accounts, source_arns=None, prefix=""):
    """The bucket policy CloudTrail's documentation gives, for one or more accounts."""
    condition = {"StringEquals": {"aws:SourceArn": source_arns}} if source_arns else {}
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{bucket}", **({"Condition": condition} if condition else {})},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": [f"arn:aws:s3:::{bucket}/{prefix}AWSLogs/{a}/*" for a in accounts],
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **condition.get("StringEquals", {})}}},
        ],
    })


def records_in(server, bucket, prefix="AWSLogs/"):
    """Every record of every log file in the bucket, with the key it came from."""
    s3 = server.client("s3")
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
            for record in json.loads(gzip.decompress(body))["Records"]:
                found.append((obj["Key"], record))
    return found


def new_bucket(server, accounts=("000000000000",), prefix=""):
    name = f"trail-{uuid.uuid4().hex[:10]}"
    s3 = server.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket=name, Policy=trail_policy(name, accounts, prefix=prefix))
    return name


def backlog(server, trail_arn):
    """The trail's undelivered journal positions, from the Prometheus endpoint."""
    import urllib.request

    with urllib.request.urlopen(f"{server.endpoint}/_cachetrail/metrics", timeout=5) as response:
        text = response.read().decode()
    assert "cachetrail_state_bytes" in text
    for line in text.splitlines():
        if line.startswith("cachetrail_trail_backlog_positions") and f'trail="{trail_arn}"' in line:
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError("no backlog gauge for the trail")


def code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_trail_rules(server):
    ct = server.client("cloudtrail")
    bare = f"bare-{uuid.uuid4().hex[:8]}"
    server.client("s3").create_bucket(Bucket=bare)
    for name, bucket, error in [
        ("t-" + uuid.uuid4().hex[:6], "no-such-bucket-here", "S3BucketDoesNotExistException"),
        ("t-" + uuid.uuid4().hex[:6], bare, "InsufficientS3BucketPolicyException"),
        ("-bad", bare, "InvalidTrailNameException"),
        ("a..b", bare, "InvalidTrailNameException"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            ct.create_trail(Name=name, S3BucketName=bucket)
        assert code(excinfo) == error, name
    bucket = new_bucket(server)
    name = f"rules-{uuid.uuid4().hex[:6]}"
    created = ct.create_trail(Name=name, S3BucketName=bucket, TagsList=[{"Key": "team", "Value": "sec"}])
    assert created["TrailARN"] == f"arn:aws:cloudtrail:us-east-1:000000000000:trail/{name}"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ct.create_trail(Name=name, S3BucketName=bucket)
    assert code(excinfo) == "TrailAlreadyExistsException"
    assert ct.get_trail_status(Name=name)["IsLogging"] is False
    assert ct.get_trail(Name=name)["Trail"]["HomeRegion"] == "us-east-1"
    assert ct.list_tags(ResourceIdList=[created["TrailARN"]])["ResourceTagList"][0]["TagsList"] == [{"Key": "team", "Value": "sec"}]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        server.client("cloudtrail", region="eu-west-1").get_trail(Name=name)
    assert code(excinfo) == "TrailNotFoundException"
    ct.delete_trail(Name=created["TrailARN"])
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        ct.get_trail_status(Name=name)
    assert code(excinfo) == "TrailNotFoundException"


def test_delivery_window_keys_and_exactly_once(server):
    bucket = new_bucket(server, prefix="org/")
    ct = server.client("cloudtrail")
    name = f"main-{uuid.uuid4().hex[:6]}"
    ct.create_trail(Name=name, S3BucketName=bucket, S3KeyPrefix="org")
    ct.start_logging(Name=name)
    iam = server.client("iam")
    ids = [iam.create_user(UserName=f"d-{uuid.uuid4().hex[:8]}")["ResponseMetadata"]["RequestId"] for _ in range(5)]
    ids.append(server.client("sts").get_caller_identity()["ResponseMetadata"]["RequestId"])
    assert records_in(server, bucket, "org/") == []  # nothing before the window closes
    server.advance(301)
    found = records_in(server, bucket, "org/")
    by_id = {}
    for key, record in found:
        by_id.setdefault(record["requestID"], []).append(key)
        assert key.startswith("org/AWSLogs/000000000000/CloudTrail/us-east-1/")
        assert key.endswith(".json.gz") and "_CloudTrail_us-east-1_" in key
    for request_id in ids:
        assert len(by_id.get(request_id, [])) == 1, request_id
    status = ct.get_trail_status(Name=name)
    assert status["IsLogging"] and "LatestDeliveryTime" in status and "LatestDeliveryError" not in status
    # A file is an ordinary object: the CLI copies it, S3 encrypted it.
    key = found[0][0]
    head = server.client("s3").head_object(Bucket=bucket, Key=key)
    assert head["ServerSideEncryption"] == "AES256" and head["ContentType"] == "application/json"
    # Another window delivers only new events: none twice.
    server.advance(301)
    again = records_in(server, bucket, "org/")
    assert len({r["eventID"] for _, r in again}) == len(again)


def test_selectors_stop_start_and_outage(server):
    bucket = new_bucket(server)
    ct = server.client("cloudtrail")
    name = f"sel-{uuid.uuid4().hex[:6]}"
    ct.create_trail(Name=name, S3BucketName=bucket)
    ct.put_event_selectors(TrailName=name, EventSelectors=[{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}])
    assert ct.get_event_selectors(TrailName=name)["EventSelectors"][0]["ReadWriteType"] == "WriteOnly"
    ct.start_logging(Name=name)
    iam = server.client("iam")
    write = iam.create_user(UserName=f"s-{uuid.uuid4().hex[:8]}")["ResponseMetadata"]["RequestId"]
    read = iam.list_users()["ResponseMetadata"]["RequestId"]
    ct.stop_logging(Name=name)  # flushes what was captured while logging
    ids = {r["requestID"] for _, r in records_in(server, bucket)}
    assert write in ids and read not in ids
    while_stopped = iam.create_user(UserName=f"s-{uuid.uuid4().hex[:8]}")["ResponseMetadata"]["RequestId"]
    ct.start_logging(Name=name)
    after = iam.create_user(UserName=f"s-{uuid.uuid4().hex[:8]}")["ResponseMetadata"]["RequestId"]
    # The bucket policy stops allowing CloudTrail: the delivery fails, is reported, and retried.
    s3 = server.client("s3")
    s3.delete_bucket_policy(Bucket=bucket)
    server.advance(301)
    status = ct.get_trail_status(Name=name)
    assert status["LatestDeliveryError"] == "AccessDenied" and "LatestDeliveryAttemptTime" in status
    arn = ct.get_trail(Name=name)["Trail"]["TrailARN"]
    denied_backlog = backlog(server, arn)
    assert denied_backlog >= 2
    s3.put_bucket_policy(Bucket=bucket, Policy=trail_policy(bucket, ["000000000000"]))
    server.advance(1)
    assert "LatestDeliveryError" not in ct.get_trail_status(Name=name)
    # Only the calls made since the delivery (not yet due) remain.
    assert backlog(server, arn) < denied_backlog
    ids = [r["requestID"] for _, r in records_in(server, bucket)]
    assert ids.count(after) == 1 and while_stopped not in ids


def test_multi_region_and_two_accounts_into_one_bucket(server):
    created = subprocess.run(
        [str(BINARY), "account", "create", "--data-dir", str(server.data_dir)], capture_output=True, text=True, timeout=60
    )
    assert created.returncode == 0, created.stderr
    other = created.stdout.split()[1]
    bucket = new_bucket(server, accounts=("000000000000", other))
    mine = server.client("cloudtrail")
    name = f"multi-{uuid.uuid4().hex[:6]}"
    mine.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=True)
    mine.start_logging(Name=name)
    assert any(t["Name"] == name for t in server.client("cloudtrail", region="eu-west-1").describe_trails()["trailList"])
    theirs = server.client("cloudtrail", *server.profile(other), region="us-west-2")
    theirs.create_trail(Name="theirs", S3BucketName=bucket)
    theirs.start_logging(Name="theirs")
    calls = {
        ("000000000000", "eu-west-1"): server.client("elasticache", region="eu-west-1").describe_cache_clusters(),
        ("000000000000", "us-west-2"): server.client("elasticache", region="us-west-2").describe_cache_clusters(),
        (other, "us-west-2"): server.client("elasticache", *server.profile(other), region="us-west-2").describe_cache_clusters(),
    }
    server.advance(301)
    found = records_in(server, bucket)
    for (account, region), response in calls.items():
        keys = [k for k, r in found if r["requestID"] == response["ResponseMetadata"]["RequestId"]]
        assert len(keys) == 1, (account, region)
        assert keys[0].startswith(f"AWSLogs/{account}/CloudTrail/{region}/")


def test_rotation_by_size(fresh_server):
    srv = fresh_server(args=("--delivery-max-file-bytes", "4096"))
    bucket = new_bucket(srv)
    ct = srv.client("cloudtrail")
    ct.create_trail(Name="small-files", S3BucketName=bucket)
    ct.start_logging(Name="small-files")
    iam = srv.client("iam")
    ids = [iam.list_users()["ResponseMetadata"]["RequestId"] for _ in range(40)]
    srv.advance(1)
    # Full files are cut at once, before the window closes; any remainder waits for it.
    s3 = srv.client("s3")
    early = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert len(early) >= 4
    for key in early:
        records = json.loads(gzip.decompress(s3.get_object(Bucket=bucket, Key=key)["Body"].read()))["Records"]
        assert len(json.dumps(records, separators=(",", ":"))) >= 4096 - 2 * 1024
    srv.advance(300)
    found = records_in(srv, bucket)
    keys = {k for k, _ in found}
    assert len(keys) >= len(early)
    delivered = [r["requestID"] for _, r in found]
    assert all(delivered.count(i) == 1 for i in ids)


def test_kill_9_then_restart_delivers_each_event_once(fresh_server):
    srv = fresh_server(args=("--delivery-interval", "1"), clock="system")
    bucket = new_bucket(srv)
    ct = srv.client("cloudtrail")
    ct.create_trail(Name="crash", S3BucketName=bucket)
    ct.start_logging(Name="crash")
    key = srv.profile()
    acknowledged = []
    data_dir = srv.data_dir
    current = srv
    for _ in range(3):
        stop = threading.Event()
        lock = threading.Lock()

        def hammer(server=current):
            iam = server.client("iam", *key)
            for _ in range(500):
                if stop.is_set():
                    return
                try:
                    response = iam.list_roles()
                except Exception:
                    return
                with lock:
                    acknowledged.append(response["ResponseMetadata"]["RequestId"])

        worker = threading.Thread(target=hammer)
        worker.start()
        threading.Event().wait(1.5)
        current.process.send_signal(signal.SIGKILL)
        current.process.wait()
        stop.set()
        worker.join()
        current = Server(data_dir, clock="system", args=("--delivery-interval", "1"))
    try:
        ct = current.client("cloudtrail")
        deadline = threading.Event()
        for _ in range(40):
            delivered = [r["requestID"] for _, r in records_in(current, bucket)]
            if set(acknowledged) <= set(delivered):
                break
            deadline.wait(0.25)
        history = {
            json.loads(e["CloudTrailEvent"])["requestID"]
            for page in ct.get_paginator("lookup_events").paginate(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ListRoles"}])
            for e in page["Events"]
        }
        assert acknowledged and set(acknowledged) <= history
        missing = [i for i in acknowledged if delivered.count(i) != 1]
        assert not missing, f"{len(missing)} acknowledged calls not delivered exactly once"
        assert len(delivered) == len(set(delivered))
    finally:
        current.stop()


def test_s3_data_events_only_when_a_trail_selects_them(server):
    bucket = new_bucket(server)
    data_bucket = f"data-{uuid.uuid4().hex[:10]}"
    s3 = server.client("s3")
    s3.create_bucket(Bucket=data_bucket)
    s3.put_object(Bucket=data_bucket, Key="before", Body=b"not recorded: no trail selects it")
    ct = server.client("cloudtrail")
    name = f"data-{uuid.uuid4().hex[:6]}"
    ct.create_trail(Name=name, S3BucketName=bucket)
    ct.put_event_selectors(TrailName=name, EventSelectors=[{
        "ReadWriteType": "All", "IncludeManagementEvents": False,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{data_bucket}/logs/"]}],
    }])
    ct.start_logging(Name=name)
    put = s3.put_object(Bucket=data_bucket, Key="logs/a.txt", Body=b"secret body bytes")
    got = s3.get_object(Bucket=data_bucket, Key="logs/a.txt")
    got["Body"].read()
    other = s3.put_object(Bucket=data_bucket, Key="elsewhere/b.txt", Body=b"x")
    management = server.client("iam").list_users()
    server.advance(301)
    found = {r["requestID"]: r for _, r in records_in(server, bucket)}
    record = found[put["ResponseMetadata"]["RequestId"]]
    assert record["eventCategory"] == "Data" and record["managementEvent"] is False
    assert record["requestParameters"]["bucketName"] == data_bucket and record["requestParameters"]["key"] == "logs/a.txt"
    assert {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{data_bucket}/logs/a.txt"} in record["resources"]
    assert "secret body bytes" not in json.dumps(record)
    assert found[got["ResponseMetadata"]["RequestId"]]["readOnly"] is True
    assert other["ResponseMetadata"]["RequestId"] not in found
    assert management["ResponseMetadata"]["RequestId"] not in found
    # Event history shows management events only.
    history = {
        json.loads(e["CloudTrailEvent"])["requestID"]
        for page in ct.get_paginator("lookup_events").paginate(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "PutObject"}])
        for e in page["Events"]
    }
    assert put["ResponseMetadata"]["RequestId"] not in history


def test_lifecycle_actions_are_service_events_for_trails_that_select_them(fresh_server):
    srv = fresh_server()
    bucket = new_bucket(srv)
    data_bucket = f"life-{uuid.uuid4().hex[:10]}"
    s3 = srv.client("s3")
    s3.create_bucket(Bucket=data_bucket)
    s3.put_bucket_lifecycle_configuration(
        Bucket=data_bucket,
        LifecycleConfiguration={"Rules": [
            {"ID": "expire-logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 1}},
            {"ID": "expire-other", "Status": "Enabled", "Filter": {"Prefix": "other/"}, "Expiration": {"Days": 1}},
        ]})
    ct = srv.client("cloudtrail")
    ct.create_trail(Name="life", S3BucketName=bucket)
    ct.put_event_selectors(TrailName="life", EventSelectors=[{
        "ReadWriteType": "WriteOnly", "IncludeManagementEvents": False,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": [f"arn:aws:s3:::{data_bucket}/logs/"]}],
    }])
    ct.start_logging(Name="life")
    s3.put_object(Bucket=data_bucket, Key="logs/old.txt", Body=b"x")
    s3.put_object(Bucket=data_bucket, Key="other/old.txt", Body=b"x")
    srv.advance(2 * 86400 + 60)
    assert "Contents" not in s3.list_objects_v2(Bucket=data_bucket)
    events = [r for _, r in records_in(srv, bucket) if r["eventType"] == "AwsServiceEvent"]
    assert len(events) == 1, events  # the other prefix is not selected
    event = events[0]
    assert event["eventName"] == "LifecycleExpiration"
    assert event["userIdentity"] == {"type": "AWSService", "invokedBy": "s3.amazonaws.com"}
    assert event["requestParameters"] == {"bucketName": data_bucket, "key": "logs/old.txt"}
    assert event["serviceEventDetails"]["lifecycleRuleId"] == "expire-logs"
    assert event["recipientAccountId"] == "000000000000" and event["eventCategory"] == "Data"
    assert {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{data_bucket}/logs/old.txt"} in event["resources"]


def test_a_refused_bucket_policy_is_explained_in_the_server_log(fresh_server):
    srv = fresh_server()
    s3 = srv.client("s3")
    s3.create_bucket(Bucket="half-policy")
    # Only the ACL check statement: the write statement is missing.
    policy = json.loads(trail_policy("half-policy", ["000000000000"]))
    policy["Statement"] = policy["Statement"][:1]
    s3.put_bucket_policy(Bucket="half-policy", Policy=json.dumps(policy))
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        srv.client("cloudtrail").create_trail(Name="explained", S3BucketName="half-policy")
    error = excinfo.value.response["Error"]
    # The wire keeps AWS's words; the log says what is missing.
    assert error["Code"] == "InsufficientS3BucketPolicyException"
    assert error["Message"] == "Incorrect S3 bucket policy is detected for bucket: half-policy"
    assert "no statement allows cloudtrail.amazonaws.com s3:PutObject on arn:aws:s3:::half-policy/AWSLogs/000000000000/" in srv.output()
