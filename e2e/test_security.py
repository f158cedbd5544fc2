"""The holes an attack from outside found, each as its reproduction asserting AWS's answer."""

import base64
import hashlib
import hmac
import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.exceptions
import pytest

from conftest import BINARY, Server
from test_sigv4 import send, signed

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def s3_error(body):
    return ET.fromstring(body).find("Code").text


def query_code(body):
    root = ET.fromstring(body)
    return next(element.text for element in root.iter() if element.tag.endswith("Code"))


def history(server, **attribute):
    """Event names of the account's history, optionally filtered by one lookup attribute."""
    key, value = next(iter(attribute.items())) if attribute else (None, None)
    kwargs = {"LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}]} if key else {}
    events = server.client("cloudtrail").lookup_events(MaxResults=50, **kwargs)["Events"]
    return [event["EventName"] for event in events]


# High 1: the body of a signed Query/JSON request is covered by its signature.


def test_a_replaced_query_body_fails_the_signature(server):
    request = signed(server, "Action=DescribeCacheClusters&Version=2015-02-02", service="elasticache")
    # The attacker declares the original body's hash (unsigned) and sends another call.
    request.headers["x-amz-content-sha256"] = hashlib.sha256(request.body).hexdigest()
    forged = b"Action=CreateCacheCluster&Version=2015-02-02&CacheClusterId=forged-by-replay&Engine=redis"
    status, body = send(request, body=forged)
    assert (status, query_code(body)) == (403, "SignatureDoesNotMatch")
    clusters = server.client("elasticache").describe_cache_clusters()["CacheClusters"]
    assert "forged-by-replay" not in [cluster["CacheClusterId"] for cluster in clusters]


class UnsignedPayloadAuth(botocore.auth.SigV4Auth):
    def payload(self, request):
        return "UNSIGNED-PAYLOAD"


def test_unsigned_payload_is_refused_outside_s3(server):
    key_id, secret = server.profile()
    request = botocore.awsrequest.AWSRequest(
        method="POST", url=server.endpoint + "/", data="Action=GetCallerIdentity&Version=2011-06-15",
        headers={"Content-Type": "application/x-www-form-urlencoded", "x-amz-content-sha256": "UNSIGNED-PAYLOAD"},
    )
    UnsignedPayloadAuth(botocore.credentials.Credentials(key_id, secret), "sts", "us-east-1").add_auth(request)
    status, body = send(request)
    assert (status, query_code(body)) == (403, "SignatureDoesNotMatch")


# High 2: a signed S3 upload's bytes are bound to its signature.


class StreamingAuth(botocore.auth.S3SigV4Auth):
    def payload(self, request):
        return "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"


def streaming_put(server, bucket, key, data, forge=False):
    """A PutObject with a signed aws-chunked body, chunk signatures computed as AWS documents."""
    key_id, secret = server.profile()
    chunks = [data[i : i + 8192] for i in range(0, len(data), 8192)] + [b""]
    framing = sum(len(f"{len(c):x};chunk-signature=".encode()) + 64 + 4 + len(c) for c in chunks)
    request = botocore.awsrequest.AWSRequest(
        method="PUT", url=f"{server.endpoint}/{bucket}/{key}",
        headers={
            "Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
            "Content-Length": str(framing),
        },
    )
    auth = StreamingAuth(botocore.credentials.Credentials(key_id, secret), "s3", "us-east-1")
    auth.add_auth(request)
    amz_date = request.headers["X-Amz-Date"]
    scope = f"{amz_date[:8]}/us-east-1/s3/aws4_request"
    previous = request.headers["Authorization"].rsplit("Signature=", 1)[1]
    k = hmac.new(f"AWS4{secret}".encode(), amz_date[:8].encode(), hashlib.sha256).digest()
    for part in ("us-east-1", "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    body = b""
    for chunk in chunks:
        to_sign = "\n".join([
            "AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, EMPTY_SHA256, hashlib.sha256(chunk).hexdigest(),
        ])
        previous = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
        signature = "0" * 64 if forge else previous
        body += f"{len(chunk):x};chunk-signature={signature}\r\n".encode() + chunk + b"\r\n"
    assert len(body) == framing
    return send(request, body=body)


def test_signed_chunks_are_verified(server):
    s3 = server.client("s3")
    s3.create_bucket(Bucket="streaming-uploads")
    data = bytes(range(256)) * 100
    status, body = streaming_put(server, "streaming-uploads", "good", data)
    assert status == 200, body
    assert s3.get_object(Bucket="streaming-uploads", Key="good")["Body"].read() == data

    status, body = streaming_put(server, "streaming-uploads", "forged", b"attacker's bytes" * 100, forge=True)
    assert (status, s3_error(body)) == (403, "SignatureDoesNotMatch")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.head_object(Bucket="streaming-uploads", Key="forged")
    assert excinfo.value.response["Error"]["Code"] == "404"


def s3_put(server, path, body, headers):
    key_id, secret = server.profile()
    request = botocore.awsrequest.AWSRequest(method="PUT", url=server.endpoint + path, data=body, headers=headers)
    botocore.auth.S3SigV4Auth(botocore.credentials.Credentials(key_id, secret), "s3", "us-east-1").add_auth(request)
    return request


def test_an_unsigned_content_encoding_does_not_make_a_body_chunked(server):
    server.client("s3").create_bucket(Bucket="plain-uploads")
    request = s3_put(server, "/plain-uploads/k", b"signed bytes", {})
    request.headers["Content-Encoding"] = "aws-chunked"
    forged = b"5;chunk-signature=" + b"0" * 64 + b"\r\nforge\r\n0;chunk-signature=" + b"0" * 64 + b"\r\n\r\n"
    status, body = send(request, body=forged)
    assert (status, s3_error(body)) == (400, "XAmzContentSHA256Mismatch")


def test_a_declared_hash_that_is_no_hash_is_refused(server):
    server.client("s3").create_bucket(Bucket="declared-hashes")
    request = s3_put(server, "/declared-hashes/k", b"bytes", {})
    request.headers.replace_header("X-Amz-Content-SHA256", "not-a-hash")
    status, body = send(request, body=b"any other bytes")
    assert (status, s3_error(body)) == (400, "InvalidArgument")


# High 3: hostile Query parameter names cost what their length costs.


def test_a_long_dotted_key_is_refused_quickly(server):
    topic = server.client("sns").create_topic(Name="dotted")["TopicArn"]
    query = urllib.parse.urlencode({"Action": "ConfirmSubscription", "TopicArn": topic, "Token": "t", "." * 80_000: "x"})
    started = time.monotonic()
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(f"{server.endpoint}/?{query}", timeout=30)
    assert excinfo.value.code == 400
    assert query_code(excinfo.value.read().decode()) == "InvalidParameterValue"
    # Several at once must not starve signed callers (was 4-7 s each).
    assert time.monotonic() - started < 30


# High 4 and 5: regions are real region names wherever they come from.


@pytest.mark.parametrize("region", ["../../../../victim/x", "us-east-1\x01", "mars-north-1"])
def test_an_unsigned_link_with_an_invented_region_is_not_served(server, region):
    arn = f"arn:aws:sns:{region}:000000000000:t"
    query = urllib.parse.urlencode({"Action": "ConfirmSubscription", "TopicArn": arn, "Token": "t"})
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(f"{server.endpoint}/?{query}", timeout=10)
    assert excinfo.value.code == 403
    assert query_code(excinfo.value.read().decode()) == "MissingAuthenticationToken"


def test_a_credential_scope_with_an_invented_region_is_refused(server):
    key_id, secret = server.profile()
    client = server.client("sts", key_id, secret, region="mars-north-1")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client.get_caller_identity()
    assert excinfo.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_listing_honours_url_encoding_for_keys_xml_cannot_carry(server):
    s3 = server.client("s3")
    s3.create_bucket(Bucket="control-keys")
    key = "trail/us-east-1\x01/file.json.gz"
    s3.put_object(Bucket="control-keys", Key=key, Body=b"x")
    # boto3 asks for encoding-type=url and decodes the answer.
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="control-keys")["Contents"]] == [key]
    assert [o["Key"] for o in s3.list_objects(Bucket="control-keys")["Contents"]] == [key]
    listing = server.cli("s3api", "list-objects-v2", "--bucket", "control-keys")
    assert [o["Key"] for o in listing["Contents"]] == [key]


def test_a_key_longer_than_1024_bytes_is_refused(server):
    s3 = server.client("s3")
    s3.create_bucket(Bucket="long-keys")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.put_object(Bucket="long-keys", Key="k" * 1025, Body=b"x")
    assert excinfo.value.response["Error"]["Code"] == "KeyTooLongError"
    s3.put_object(Bucket="long-keys", Key="k" * 1024, Body=b"x")


# Medium: unsigned links record nothing unless they prove themselves; unknown actions are not
# recorded under the name the caller invented.


def test_a_failed_unsigned_link_writes_no_event(server):
    topic = server.client("sns").create_topic(Name="unsigned-links")["TopicArn"]
    before = history(server, EventName="ConfirmSubscription")
    for _ in range(5):
        query = urllib.parse.urlencode({"Action": "ConfirmSubscription", "TopicArn": topic, "Token": "guess"})
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{server.endpoint}/?{query}", timeout=10)
    assert history(server, EventName="ConfirmSubscription") == before


def test_an_unknown_action_is_not_recorded_under_its_name(server):
    name = "Invented" + "X" * 5000
    status, body = send(signed(server, f"Action={name}&Version=2011-06-15"))
    assert (status, query_code(body)) == (400, "InvalidAction")
    assert not [event for event in history(server) if event.startswith("Invented")]


# Low: tokens that reveal nothing, another account's topic, session names, one server per
# data directory.


def other_account(server):
    created = subprocess.run(
        [str(BINARY), "account", "create", "--data-dir", str(server.data_dir)], capture_output=True, text=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    return created.stdout.split()[1]


def test_a_lookup_token_is_opaque_and_bound_to_its_account(server):
    ct = server.client("cloudtrail")
    for _ in range(3):
        server.client("sts").get_caller_identity()
    token = ct.lookup_events(MaxResults=1)["NextToken"]
    assert "journal" not in base64.b64decode(token).decode(errors="replace")
    assert ct.lookup_events(MaxResults=1, NextToken=token)["Events"]
    theirs = server.client("cloudtrail", *server.profile(other_account(server)))
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        theirs.lookup_events(MaxResults=1, NextToken=token)
    assert excinfo.value.response["Error"]["Code"] == "InvalidNextTokenException"


def test_another_accounts_topic_cannot_be_deleted(server):
    topic = server.client("sns").create_topic(Name=f"mine-{uuid.uuid4().hex[:6]}")["TopicArn"]
    theirs = server.client("sns", *server.profile(other_account(server)))
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        theirs.delete_topic(TopicArn=topic)
    assert excinfo.value.response["Error"]["Code"] == "AuthorizationError"
    assert topic in [t["TopicArn"] for t in server.client("sns").list_topics()["Topics"]]


def test_a_role_session_name_outside_the_pattern_is_refused(server):
    iam = server.client("iam")
    role = f"r-{uuid.uuid4().hex[:6]}"
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "sts:AssumeRole",
    }]}
    arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        server.client("sts").assume_role(RoleArn=arn, RoleSessionName="bad name/../x")
    assert excinfo.value.response["Error"]["Code"] == "ValidationError"
    server.client("sts").assume_role(RoleArn=arn, RoleSessionName="good+name=1,a.b@c-d_e")


def test_one_server_per_data_directory_and_a_killed_ones_lock_is_free(fresh_server):
    first = fresh_server()
    second = subprocess.run(
        [str(BINARY), "serve", "--port", "0", "--data-dir", str(first.data_dir)], capture_output=True, text=True,
        timeout=60,
    )
    assert second.returncode != 0
    assert "in use by another cachetrail server" in second.stderr and f"pid {first.process.pid}" in second.stderr
    first.process.send_signal(signal.SIGKILL)
    first.process.wait()
    again = Server(first.data_dir)
    try:
        again.client("sts").get_caller_identity()
    finally:
        again.stop()


# Medium: availability. A body is held only for a caller who may send it, not forever, and a
# shutdown does not wait for a client that never finishes.


def raw_exchange(port, head, body_part=b"", timeout=10):
    """Sends a request head (and part of a body), returns the status line the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head + body_part)
        return sock.recv(4096).split(b"\r\n", 1)[0]


def test_an_unauthenticated_large_body_is_refused_before_it_is_read(server):
    head = (
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 200000000\r\n\r\n"
    )
    started = time.monotonic()
    status = raw_exchange(server.port, head, b"Action=GetCallerIdentity&")
    assert status.startswith(b"HTTP/1.1 413") or status.startswith(b"HTTP/1.1 403")
    assert time.monotonic() - started < 10
    # An S3 upload whose signature is wrong is refused from its head: its bytes are never held.
    key_id, _ = server.profile()
    request = s3_put(server, "/anything/k", b"", {})
    request.headers.replace_header("Authorization", request.headers["Authorization"][:-8] + "00000000")
    request.headers["Content-Length"] = "200000000"
    lines = ["PUT /anything/k HTTP/1.1", f"Host: 127.0.0.1:{server.port}"]
    lines += [f"{k}: {v}" for k, v in request.headers.items()]
    status = raw_exchange(server.port, ("\r\n".join(lines) + "\r\n\r\n").encode(), b"x" * 1000)
    assert status.startswith(b"HTTP/1.1 403")


class UnsignedS3Auth(botocore.auth.S3SigV4Auth):
    def payload(self, request):
        return "UNSIGNED-PAYLOAD"


def test_sigterm_does_not_wait_forever_for_a_half_sent_body(fresh_server):
    srv = fresh_server()
    srv.client("s3").create_bucket(Bucket="half-sent")
    key_id, secret = srv.profile()
    request = botocore.awsrequest.AWSRequest(
        method="PUT", url=f"{srv.endpoint}/half-sent/k", headers={"Content-Length": "10000000"}
    )
    UnsignedS3Auth(botocore.credentials.Credentials(key_id, secret), "s3", "us-east-1").add_auth(request)
    lines = ["PUT /half-sent/k HTTP/1.1", f"Host: 127.0.0.1:{srv.port}"]
    lines += [f"{k}: {v}" for k, v in request.headers.items()]
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + b"x" * 1000)
        # Admitted (a refusal would answer at once): the server is reading the body.
        sock.settimeout(1)
        with pytest.raises(socket.timeout):
            sock.recv(4096)
        started = time.monotonic()
        srv.process.send_signal(signal.SIGTERM)
        srv.process.wait(timeout=30)
    assert time.monotonic() - started < 20


def test_unsigned_links_are_rate_limited(fresh_server):
    srv = fresh_server()
    topic = srv.client("sns").create_topic(Name="limited")["TopicArn"]
    query = urllib.parse.urlencode({"Action": "ConfirmSubscription", "TopicArn": topic, "Token": "guess"})
    codes = []
    for _ in range(60):
        with pytest.raises(urllib.error.HTTPError) as excinfo:
            urllib.request.urlopen(f"{srv.endpoint}/?{query}", timeout=10)
        codes.append(query_code(excinfo.value.read().decode()))
    assert "Throttling" in codes and codes[0] != "Throttling"
    # Signed calls from the same address are not limited.
    srv.client("sts").get_caller_identity()
