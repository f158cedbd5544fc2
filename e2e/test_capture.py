"""CloudTrail capture end to end: every call becomes an event, found in event history."""

import datetime
import json
import signal
import threading
import uuid

import botocore.exceptions

from conftest import Server


def lookup_all(server, **kwargs):
    """Every event of a lookup, through boto3's paginator."""
    paginator = server.client("cloudtrail").get_paginator("lookup_events")
    return [event for page in paginator.paginate(**kwargs) for event in page["Events"]]


def by_request_id(events):
    found = {}
    for event in events:
        record = json.loads(event["CloudTrailEvent"])
        found.setdefault(record["requestID"], []).append(record)
    return found


def test_a_call_becomes_an_event_with_every_field(server):
    iam = server.client("iam")
    name = f"cap-{uuid.uuid4().hex[:8]}"
    response = iam.create_user(UserName=name)
    request_id = response["ResponseMetadata"]["RequestId"]
    events = server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}]
    )["Events"]
    records = by_request_id(events)
    assert len(records[request_id]) == 1
    record = records[request_id][0]
    assert record["eventVersion"] == "1.11"
    assert record["userIdentity"] == {
        "type": "Root", "principalId": "000000000000", "arn": "arn:aws:iam::000000000000:root",
        "accountId": "000000000000", "accessKeyId": server.profile()[0],
    }
    assert record["eventSource"] == "iam.amazonaws.com" and record["eventName"] == "CreateUser"
    assert record["awsRegion"] == "us-east-1" and record["sourceIPAddress"] == "127.0.0.1"
    assert record["userAgent"].startswith("Boto3/")
    assert record["requestParameters"] == {"userName": name}
    assert record["responseElements"]["user"]["userName"] == name
    assert record["responseElements"]["user"]["arn"] == response["User"]["Arn"]
    assert record["readOnly"] is False and record["managementEvent"] is True
    assert record["eventType"] == "AwsApiCall" and record["eventCategory"] == "Management"
    assert record["recipientAccountId"] == "000000000000"
    event = next(e for e in events if json.loads(e["CloudTrailEvent"])["requestID"] == request_id)
    assert event["EventId"] == record["eventID"] and event["Username"] == "root" and event["ReadOnly"] == "false"


def test_reads_have_null_response_elements(server):
    response = server.client("iam").list_users()
    request_id = response["ResponseMetadata"]["RequestId"]
    records = by_request_id(lookup_all(server, LookupAttributes=[{"AttributeKey": "ReadOnly", "AttributeValue": "true"}]))
    record = records[request_id][0]
    assert record["readOnly"] is True and record["responseElements"] is None


def test_failed_calls_are_recorded_with_their_error(server):
    iam = server.client("iam")
    name = f"denied-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    user_iam = server.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    try:
        user_iam.delete_user(UserName=name)
        raise AssertionError("the user has no policy and must be denied")
    except botocore.exceptions.ClientError as error:
        request_id = error.response["ResponseMetadata"]["RequestId"]
    events = lookup_all(server, LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": name}])
    record = by_request_id(events)[request_id][0]
    assert record["errorCode"] == "AccessDenied"
    assert "is not authorized to perform: iam:DeleteUser" in record["errorMessage"]
    assert record["userIdentity"]["type"] == "IAMUser" and record["userIdentity"]["userName"] == name
    assert record["responseElements"] is None
    # The user still exists: the denied call changed nothing.
    assert iam.get_user(UserName=name)["User"]["UserName"] == name


def test_every_lookup_attribute(server):
    iam = server.client("iam")
    name = f"attr-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    iam.put_user_policy(
        UserName=name, PolicyName="p",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}),
    )
    response = server.client("iam", key["AccessKeyId"], key["SecretAccessKey"]).get_user()
    request_id = response["ResponseMetadata"]["RequestId"]
    event_id = by_request_id(lookup_all(server, LookupAttributes=[{"AttributeKey": "AccessKeyId", "AttributeValue": key["AccessKeyId"]}]))[request_id][0]["eventID"]
    for attribute, value in [
        ("EventId", event_id), ("EventName", "GetUser"), ("ReadOnly", "true"), ("Username", name),
        ("EventSource", "iam.amazonaws.com"), ("AccessKeyId", key["AccessKeyId"]),
    ]:
        events = lookup_all(server, LookupAttributes=[{"AttributeKey": attribute, "AttributeValue": value}])
        assert request_id in by_request_id(events), attribute
    created = by_request_id(lookup_all(server, LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": name}]))
    assert any(r["eventName"] == "CreateUser" for records in created.values() for r in records)
    typed = lookup_all(server, LookupAttributes=[{"AttributeKey": "ResourceType", "AttributeValue": "AWS::IAM::User"}])
    create = next(e for e in typed if e["EventName"] == "CreateUser" and json.loads(e["CloudTrailEvent"])["requestParameters"]["userName"] == name)
    assert create["Resources"] == [{"ResourceType": "AWS::IAM::User", "ResourceName": name}]


def test_secrets_never_enter_an_event(server):
    iam = server.client("iam")
    name = f"secret-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    role = iam.create_role(
        RoleName=f"r-{name}",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "000000000000"}, "Action": "sts:AssumeRole"}]}),
    )["Role"]
    creds = server.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="s1")["Credentials"]
    text = json.dumps(lookup_all(server, StartTime="2000-01-01T00:00:00Z"), default=str)
    for secret in (key["SecretAccessKey"], creds["SecretAccessKey"], creds["SessionToken"], server.profile()[1]):
        assert secret not in text
    # As AWS records them: no secretAccessKey at all in the answer, not a placeholder.
    assumed = [json.loads(e["CloudTrailEvent"]) for e in lookup_all(server, StartTime="2000-01-01T00:00:00Z")
               if e["EventName"] == "AssumeRole"]
    assert any(set(r["responseElements"]["credentials"]) == {"accessKeyId", "expiration"} for r in assumed)


def test_pages_are_stable_while_events_arrive(server):
    iam = server.client("iam")
    for _ in range(7):
        iam.list_roles()
    cloudtrail = server.client("cloudtrail")
    attribute = [{"AttributeKey": "EventName", "AttributeValue": "ListRoles"}]
    first = cloudtrail.lookup_events(LookupAttributes=attribute, MaxResults=3)
    seen = [e["EventId"] for e in first["Events"]]
    token = first["NextToken"]
    iam.list_roles()  # a new event arrives between pages
    while token:
        page = cloudtrail.lookup_events(LookupAttributes=attribute, MaxResults=3, NextToken=token)
        seen += [e["EventId"] for e in page["Events"]]
        token = page.get("NextToken")
    assert len(seen) == len(set(seen)) and len(seen) >= 7
    try:
        cloudtrail.lookup_events(MaxResults=51)
        raise AssertionError("MaxResults above 50 must be refused")
    except botocore.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "ValidationException"
        assert "maxResults" in error.response["Error"]["Message"]


def test_retention_is_ninety_days(fresh_server):
    srv = fresh_server()
    iam = srv.client("iam")
    old = iam.list_users()["ResponseMetadata"]["RequestId"]
    srv.advance(91 * 86400)
    new = iam.list_users()["ResponseMetadata"]["RequestId"]
    found = by_request_id(lookup_all(srv, LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ListUsers"}]))
    assert new in found and old not in found


def test_time_windows_through_the_cli(fresh_server):
    """LookupEvents' StartTime and EndTime through the AWS CLI (which pages with NextToken), over
    events ten days apart on the server's clock, spread over more than one of the journal
    index's blocks of 256 positions: a window finds exactly the events inside it."""
    srv = fresh_server()
    iam = srv.client("iam")
    for name in ("win-a", "win-b", "win-c"):
        iam.create_user(UserName=name)
        for _ in range(120):
            iam.list_users()
        srv.advance(10 * 86400)
    creates = lookup_all(srv, LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}])
    times = {json.loads(e["CloudTrailEvent"])["requestParameters"]["userName"]: e["EventTime"] for e in creates}
    start, end = times["win-b"], times["win-c"] - datetime.timedelta(seconds=1)
    window = ["--start-time", start.isoformat(), "--end-time", end.isoformat()]
    named = srv.cli("cloudtrail", "lookup-events", *window,
                    "--lookup-attributes", "AttributeKey=EventName,AttributeValue=CreateUser")["Events"]
    assert [json.loads(e["CloudTrailEvent"])["requestParameters"]["userName"] for e in named] == ["win-b"]
    every = srv.cli("cloudtrail", "lookup-events", *window)["Events"]
    names = [e["EventName"] for e in every]
    assert names.count("ListUsers") == 120 and names[-1] == "CreateUser", names
    assert len({e["EventId"] for e in every}) == len(every)
    for event in every:
        assert start <= datetime.datetime.fromisoformat(json.loads(event["CloudTrailEvent"])["eventTime"].replace("Z", "+00:00")) <= end


def _kill_during_burst(srv, call):
    """Calls `call(iam, worker, i)` from four threads, kills the server with SIGKILL once 60 calls
    were answered, and returns the request ids of every answered call."""
    key = srv.profile()
    acknowledged = []
    lock = threading.Lock()
    stop = threading.Event()

    def burst(worker):
        iam = srv.client("iam", *key)
        for i in range(400):
            if stop.is_set():
                return
            try:
                response = call(iam, worker, i)
            except Exception:  # the server is being killed: unacknowledged calls are allowed to vanish
                return
            with lock:
                acknowledged.append(response["ResponseMetadata"]["RequestId"])

    threads = [threading.Thread(target=burst, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < 60:
        threading.Event().wait(0.01)
    srv.process.send_signal(signal.SIGKILL)
    srv.process.wait()
    stop.set()
    for thread in threads:
        thread.join()
    return acknowledged


def test_kill_9_loses_no_acknowledged_event(fresh_server):
    srv = fresh_server()
    acknowledged = _kill_during_burst(srv, lambda iam, worker, i: iam.create_user(UserName=f"burst-{worker}-{i}"))
    restarted = Server(srv.data_dir)
    try:
        found = by_request_id(lookup_all(restarted, LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}]))
        missing = [r for r in acknowledged if r not in found]
        assert not missing, f"{len(missing)} acknowledged calls lost their events"
        assert all(len(found[r]) == 1 for r in acknowledged)
        # Every recorded CreateUser that succeeded changed state, and no state change lacks its event.
        users = {u["UserName"] for page in restarted.client("iam").get_paginator("list_users").paginate() for u in page["Users"]}
        created = {r["requestParameters"]["userName"] for rs in found.values() for r in rs if "errorCode" not in r}
        assert created == {u for u in users if u.startswith("burst-")}
    finally:
        restarted.stop()


def test_kill_9_keeps_every_answered_read_only_event(fresh_server):
    # Read-only calls answer from a snapshot and journal their event without an fsync: it is in
    # the write-ahead log before the answer, so killing the process loses none of them.
    srv = fresh_server()
    acknowledged = _kill_during_burst(srv, lambda iam, worker, i: iam.list_users())
    restarted = Server(srv.data_dir)
    try:
        found = by_request_id(lookup_all(restarted, LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ListUsers"}]))
        missing = [r for r in acknowledged if r not in found]
        assert not missing, f"{len(missing)} answered read-only calls lost their events"
        assert all(len(found[r]) == 1 and found[r][0]["readOnly"] is True for r in acknowledged)
    finally:
        restarted.stop()


def _with_forwarded_for(client, address):
    client.meta.events.register("before-send", lambda request, **_: request.headers.__setitem__("X-Forwarded-For", address))
    return client


def test_source_ip_honours_x_forwarded_for_only_from_trusted_proxies(server, fresh_server):
    ignored = _with_forwarded_for(server.client("sts"), "198.51.100.23").get_caller_identity()
    record = by_request_id(lookup_all(server, LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetCallerIdentity"}]))
    assert record[ignored["ResponseMetadata"]["RequestId"]][0]["sourceIPAddress"] == "127.0.0.1"
    proxied = fresh_server(args=("--trusted-proxy", "127.0.0.0/8"))
    honoured = _with_forwarded_for(proxied.client("sts"), "203.0.113.7, 198.51.100.23").get_caller_identity()
    record = by_request_id(lookup_all(proxied, LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetCallerIdentity"}]))
    assert record[honoured["ResponseMetadata"]["RequestId"]][0]["sourceIPAddress"] == "198.51.100.23"
