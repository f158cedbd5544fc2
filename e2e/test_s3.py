"""The embedded bucket with the AWS CLI and boto3: objects, multipart, checksums, policies."""

import base64
import hashlib
import json
import os
import socket
import subprocess
import uuid

import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import botocore.exceptions
import pytest


def code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def bucket_name():
    return f"b-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def s3(server):
    return server.client("s3")


def test_cli_mb_cp_ls_sync_rm(server, tmp_path):
    name = bucket_name()
    server.cli("s3", "mb", f"s3://{name}")
    source = tmp_path / "src"
    (source / "a").mkdir(parents=True)
    (source / "a" / "one.txt").write_text("one")
    (source / "two.txt").write_text("two")
    big = source / "big.bin"
    big.write_bytes(os.urandom(17 * 1024 * 1024 + 5))
    server.cli("s3", "sync", str(source), f"s3://{name}/data", "--only-show-errors")
    listing = server.cli("s3api", "list-objects-v2", "--bucket", name, "--prefix", "data/")
    assert sorted(o["Key"] for o in listing["Contents"]) == ["data/a/one.txt", "data/big.bin", "data/two.txt"]
    ls = server.cli("s3", "ls", f"s3://{name}/data/", check=False)
    assert "PRE a/" in ls.stdout and "two.txt" in ls.stdout
    target = tmp_path / "dst"
    server.cli("s3", "sync", f"s3://{name}/data", str(target), "--only-show-errors")
    assert (target / "big.bin").read_bytes() == big.read_bytes()
    assert (target / "a" / "one.txt").read_text() == "one"
    server.cli("s3", "rm", f"s3://{name}", "--recursive", "--only-show-errors")
    server.cli("s3", "rb", f"s3://{name}")
    assert name not in server.cli("s3", "ls", check=False).stdout


def test_multipart_upload_byte_for_byte(s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    parts_data = [os.urandom(5 * 1024 * 1024), os.urandom(5 * 1024 * 1024), os.urandom(1234)]
    upload = s3.create_multipart_upload(Bucket=name, Key="mp/object", ContentType="application/x-test", Metadata={"k": "v"})
    etags = []
    for number, data in enumerate(parts_data, 1):
        etags.append(s3.upload_part(Bucket=name, Key="mp/object", UploadId=upload["UploadId"], PartNumber=number, Body=data)["ETag"])
    listed = s3.list_parts(Bucket=name, Key="mp/object", UploadId=upload["UploadId"])["Parts"]
    assert [p["PartNumber"] for p in listed] == [1, 2, 3]
    assert s3.list_multipart_uploads(Bucket=name)["Uploads"][0]["UploadId"] == upload["UploadId"]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.complete_multipart_upload(
            Bucket=name, Key="mp/object", UploadId=upload["UploadId"],
            MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": etags[1]}, {"PartNumber": 1, "ETag": etags[0]}]},
        )
    assert code(excinfo) == "InvalidPartOrder"
    done = s3.complete_multipart_upload(
        Bucket=name, Key="mp/object", UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]},
    )
    expected_etag = hashlib.md5(b"".join(hashlib.md5(d).digest() for d in parts_data)).hexdigest() + "-3"
    assert done["ETag"] == f'"{expected_etag}"'
    got = s3.get_object(Bucket=name, Key="mp/object")
    assert got["Body"].read() == b"".join(parts_data)
    assert got["ContentType"] == "application/x-test" and got["Metadata"] == {"k": "v"}
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.list_parts(Bucket=name, Key="mp/object", UploadId=upload["UploadId"])
    assert code(excinfo) == "NoSuchUpload"
    aborted = s3.create_multipart_upload(Bucket=name, Key="gone")
    s3.abort_multipart_upload(Bucket=name, Key="gone", UploadId=aborted["UploadId"])
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=name)


def test_ranges_conditionals_and_metadata(s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    body = bytes(range(256)) * 100
    put = s3.put_object(Bucket=name, Key="r", Body=body, Metadata={"owner": "audit"}, CacheControl="max-age=60")
    assert put["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=name, Key="r", Range="bytes=10-19")["Body"].read() == body[10:20]
    ranged = s3.get_object(Bucket=name, Key="r", Range="bytes=-5")
    assert ranged["Body"].read() == body[-5:] and ranged["ContentRange"] == f"bytes {len(body) - 5}-{len(body) - 1}/{len(body)}"
    assert ranged["ResponseMetadata"]["HTTPStatusCode"] == 206
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.get_object(Bucket=name, Key="r", Range=f"bytes={len(body)}-")
    assert code(excinfo) == "InvalidRange"
    head = s3.head_object(Bucket=name, Key="r")
    assert head["ContentLength"] == len(body) and head["Metadata"] == {"owner": "audit"} and head["CacheControl"] == "max-age=60"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.get_object(Bucket=name, Key="r", IfMatch='"0000"')
    assert code(excinfo) == "PreconditionFailed"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.get_object(Bucket=name, Key="r", IfNoneMatch=put["ETag"])
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.get_object(Bucket=name, Key="missing")
    assert code(excinfo) == "NoSuchKey"
    copied = s3.copy_object(Bucket=name, Key="r-copy", CopySource={"Bucket": name, "Key": "r"})
    assert copied["CopyObjectResult"]["ETag"] == put["ETag"]
    assert s3.get_object(Bucket=name, Key="r-copy")["Body"].read() == body
    deleted = s3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": "r"}, {"Key": "r-copy"}]})
    assert sorted(d["Key"] for d in deleted["Deleted"]) == ["r", "r-copy"]
    assert s3.list_objects(Bucket=name).get("Contents") is None


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "SHA512", "XXHASH64", "XXHASH3", "XXHASH128"])
def test_every_checksum_algorithm(s3, algorithm):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    data = os.urandom(300_000)
    put = s3.put_object(Bucket=name, Key="c", Body=data, ChecksumAlgorithm=algorithm)
    assert put[f"Checksum{algorithm}"]
    got = s3.get_object(Bucket=name, Key="c", ChecksumMode="ENABLED")
    assert got["Body"].read() == data and got[f"Checksum{algorithm}"] == put[f"Checksum{algorithm}"]


def test_a_wrong_checksum_or_md5_is_refused(s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.put_object(Bucket=name, Key="x", Body=b"abc", ChecksumSHA256="uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=")
    assert code(excinfo) == "BadDigest"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.put_object(Bucket=name, Key="x", Body=b"abc", ContentMD5="XrY7u+Ae7tCTyyK7j1rNww==")
    assert code(excinfo) == "BadDigest"
    assert "Contents" not in s3.list_objects_v2(Bucket=name)
    # A right one is taken, small or past the size whose digest is computed beside the write.
    for size in (3, 2 << 20):
        data = os.urandom(size)
        digest = hashlib.md5(data)
        put = s3.put_object(Bucket=name, Key=f"ok-{size}", Body=data,
                            ContentMD5=base64.b64encode(digest.digest()).decode())
        assert put["ETag"] == f'"{digest.hexdigest()}"'


def test_bucket_errors_and_configuration(server, s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    s3.create_bucket(Bucket=name)  # us-east-1 keeps S3's legacy answer for your own bucket
    west = server.client("s3", region="us-west-2")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        west.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    assert code(excinfo) == "BucketAlreadyOwnedByYou"
    other = bucket_name()
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        west.create_bucket(Bucket=other)
    assert code(excinfo) == "IllegalLocationConstraintException"
    west.create_bucket(Bucket=other, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    assert west.get_bucket_location(Bucket=other)["LocationConstraint"] == "us-west-2"
    for bad in ["UPPER", "ab", "a..b", "192.168.1.1"]:
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            s3.create_bucket(Bucket=bad)
        assert code(excinfo) == "InvalidBucketName", bad
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.delete_bucket(Bucket=name)
    assert code(excinfo) == "BucketNotEmpty"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.head_bucket(Bucket=bucket_name())
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/trail"}}]},
    )
    kms = s3.put_object(Bucket=name, Key="kms", Body=b"x")
    assert kms["ServerSideEncryption"] == "aws:kms" and kms["SSEKMSKeyId"] == "alias/trail"
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "team", "Value": "audit"}]})
    assert s3.get_bucket_tagging(Bucket=name)["TagSet"] == [{"Key": "team", "Value": "audit"}]
    s3.put_bucket_acl(Bucket=name, ACL="public-read")
    grants = s3.get_bucket_acl(Bucket=name)["Grants"]
    assert {g["Permission"] for g in grants} == {"FULL_CONTROL", "READ"}
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.get_bucket_policy(Bucket=name)
    assert code(excinfo) == "NoSuchBucketPolicy"


def test_policies_allow_deny_and_cross_account_writes(server, s3):
    created = subprocess.run(
        [str(__import__("conftest").BINARY), "account", "create", "--data-dir", str(server.data_dir)],
        capture_output=True, text=True, timeout=60,
    )
    assert created.returncode == 0, created.stderr
    other_account = created.stdout.split()[1]
    other = server.client("s3", *server.profile(other_account))
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        other.put_object(Bucket=name, Key=f"AWSLogs/{other_account}/x", Body=b"x")
    assert code(excinfo) == "AccessDenied"
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{other_account}:root"}, "Action": "s3:PutObject",
             "Resource": f"arn:aws:s3:::{name}/AWSLogs/{other_account}/*", "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": f"arn:aws:s3:::{name}/locked/*"},
        ],
    }))
    other.put_object(Bucket=name, Key=f"AWSLogs/{other_account}/x", Body=b"x", ACL="bucket-owner-full-control")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        other.put_object(Bucket=name, Key=f"AWSLogs/{other_account}/y", Body=b"x")
    assert code(excinfo) == "AccessDenied"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        other.put_object(Bucket=name, Key="AWSLogs/000000000000/x", Body=b"x", ACL="bucket-owner-full-control")
    assert code(excinfo) == "AccessDenied"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        other.get_object(Bucket=name, Key=f"AWSLogs/{other_account}/x")
    assert code(excinfo) == "AccessDenied"
    s3.put_object(Bucket=name, Key="locked/a", Body=b"x")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.delete_object(Bucket=name, Key="locked/a")
    assert code(excinfo) == "AccessDenied"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.put_bucket_policy(Bucket=name, Policy="not json")
    assert code(excinfo) == "MalformedPolicy"


def test_objects_are_encrypted_on_disk(server, s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    marker = f"PLAINTEXT-{uuid.uuid4().hex}".encode()
    s3.put_object(Bucket=name, Key="secret", Body=marker * 100)
    for root, _, files in os.walk(server.data_dir):
        for file in files:
            with open(os.path.join(root, file), "rb") as handle:
                assert marker not in handle.read(), file


def test_virtual_hosted_style(server):
    key_id, secret = server.profile()
    client = boto3.client(
        "s3", endpoint_url=f"http://localhost:{server.port}", region_name="us-east-1", aws_access_key_id=key_id,
        aws_secret_access_key=secret, config=botocore.config.Config(s3={"addressing_style": "path"}),
    )
    name = bucket_name()
    client.create_bucket(Bucket=name)
    client.put_object(Bucket=name, Key="v", Body=b"virtual")

    request = botocore.awsrequest.AWSRequest(method="GET", url=f"http://{name}.localhost:{server.port}/v")
    request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
    botocore.auth.S3SigV4Auth(botocore.credentials.Credentials(key_id, secret), "s3", "us-east-1").add_auth(request)
    prepared = request.prepare()
    http = urllib.request.Request(f"http://127.0.0.1:{server.port}/v", headers=dict(prepared.headers))
    http.add_header("Host", f"{name}.localhost:{server.port}")
    with urllib.request.urlopen(http, timeout=10) as response:
        assert response.read() == b"virtual"


def test_lifecycle_archives_then_expires_on_the_manual_clock(server, s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.get_bucket_lifecycle_configuration(Bucket=name)
    assert code(excinfo) == "NoSuchLifecycleConfiguration"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.put_bucket_lifecycle_configuration(
            Bucket=name,
            LifecycleConfiguration={"Rules": [{"ID": "ia", "Status": "Enabled", "Filter": {"Prefix": ""}, "Transitions": [{"Days": 5, "StorageClass": "STANDARD_IA"}]}]},
        )
    assert code(excinfo) == "InvalidArgument"
    s3.put_bucket_lifecycle_configuration(
        Bucket=name,
        LifecycleConfiguration={"Rules": [
            {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "AWSLogs/"},
             "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}], "Expiration": {"Days": 365}},
            {"ID": "tagged", "Status": "Enabled", "Filter": {"Tag": {"Key": "tmp", "Value": "yes"}}, "Expiration": {"Days": 1}},
            {"ID": "uploads", "Status": "Enabled", "Filter": {"Prefix": ""}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}},
        ]},
    )
    assert [r["ID"] for r in s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]] == ["logs", "tagged", "uploads"]
    s3.put_object(Bucket=name, Key="AWSLogs/a.json.gz", Body=b"log")
    s3.put_object(Bucket=name, Key="scratch", Body=b"tmp", Tagging="tmp=yes")
    s3.put_object(Bucket=name, Key="keep", Body=b"keep")
    s3.create_multipart_upload(Bucket=name, Key="half")
    server.advance(3 * 86400)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=name)["Contents"]}
    assert keys == {"AWSLogs/a.json.gz", "keep"}
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=name)
    server.advance(30 * 86400)
    assert s3.head_object(Bucket=name, Key="AWSLogs/a.json.gz")["StorageClass"] == "GLACIER"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.get_object(Bucket=name, Key="AWSLogs/a.json.gz")
    assert code(excinfo) == "InvalidObjectState"
    restore = s3.restore_object(Bucket=name, Key="AWSLogs/a.json.gz", RestoreRequest={"Days": 2})
    assert restore["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert s3.get_object(Bucket=name, Key="AWSLogs/a.json.gz")["Body"].read() == b"log"
    assert 'ongoing-request="false"' in s3.head_object(Bucket=name, Key="AWSLogs/a.json.gz")["Restore"]
    server.advance(400 * 86400)
    assert {o["Key"] for o in s3.list_objects_v2(Bucket=name)["Contents"]} == {"keep"}


def test_listing_reads_past_a_thousand_keys_by_prefix_and_delimiter(s3):
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    keys = [f"p/{i:04d}" for i in range(1100)] + ["p", "p/sub/a", "p/sub/b", "o", "q"]
    for key in keys:
        s3.put_object(Bucket=name, Key=key, Body=b"")
    listed = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name, Prefix="p") for o in page["Contents"]]
    assert listed == sorted(k for k in keys if k.startswith("p"))
    first = s3.list_objects_v2(Bucket=name, Prefix="p/")
    assert first["IsTruncated"] and first["KeyCount"] == 1000
    grouped = s3.list_objects_v2(Bucket=name, Prefix="p/", Delimiter="/", StartAfter="p/1050")
    assert [o["Key"] for o in grouped["Contents"]] == [f"p/{i:04d}" for i in range(1051, 1100)]
    assert grouped["CommonPrefixes"] == [{"Prefix": "p/sub/"}]
    assert [o["Key"] for o in s3.list_objects(Bucket=name, Marker="p/1098", Prefix="p/")["Contents"]] == ["p/1099", "p/sub/a", "p/sub/b"]


def expecting_put(server, path, body, credentials):
    """The head of a signed PUT of `body` that asks `Expect: 100-continue` first."""
    request = botocore.awsrequest.AWSRequest(method="PUT", url=f"http://127.0.0.1:{server.port}{path}", data=body)
    request.headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
    botocore.auth.S3SigV4Auth(botocore.credentials.Credentials(*credentials), "s3", "us-east-1").add_auth(request)
    head = [f"PUT {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}", f"Content-Length: {len(body)}",
            "Expect: 100-continue"]
    head += [f"{key}: {value}" for key, value in request.prepare().headers.items()
             if key.lower() not in ("host", "content-length")]
    return ("\r\n".join(head) + "\r\n\r\n").encode()


def test_a_client_that_expects_100_continue_is_told_to_send_its_body(server, s3):
    # botocore asks first for every file-like body and, never told to go on, waits a second.
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    body = os.urandom(2 * 1024 * 1024)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(expecting_put(server, f"/{name}/asked", body, server.profile()))
        connection.settimeout(0.5)  # well inside botocore's one second
        assert connection.recv(1024) == b"HTTP/1.1 100 Continue\r\n\r\n"
        connection.settimeout(10)
        connection.sendall(body)
        final = connection.recv(4096)
        assert final.startswith(b"HTTP/1.1 200 OK\r\n"), final
        assert f'etag: "{hashlib.md5(body).hexdigest()}"'.encode() in final.lower()
    assert s3.get_object(Bucket=name, Key="asked")["Body"].read() == body
    # As S3: a caller who may not write is answered with the error, never told to continue.
    key_id, _ = server.profile()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(expecting_put(server, f"/{name}/refused", body, (key_id, "not-the-secret")))
        refused = connection.recv(4096)
        assert refused.startswith(b"HTTP/1.1 403 Forbidden\r\n"), refused
        while b"</Error>" not in refused and (more := connection.recv(4096)):
            refused += more
        assert b"<Code>SignatureDoesNotMatch</Code>" in refused


def test_a_body_that_stops_arriving_is_answered_request_timeout(fresh_server):
    # The body deadline is on the server's clock: moving the manual clock past it ends the read.
    server = fresh_server()
    s3 = server.client("s3")
    name = bucket_name()
    s3.create_bucket(Bucket=name)
    body = os.urandom(64 * 1024)
    head = expecting_put(server, f"/{name}/stalled", body, server.profile()).replace(b"Expect: 100-continue\r\n", b"")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(head + body[:1000])
        connection.settimeout(0.2)
        with pytest.raises(socket.timeout):
            connection.recv(1)  # held while the rest may still come
        connection.settimeout(10)
        server.advance(60)
        connection.settimeout(0.2)
        with pytest.raises(socket.timeout):
            connection.recv(1)  # inside the two minutes: still waiting
        connection.settimeout(10)
        server.advance(61)
        answer = b""
        while more := connection.recv(4096):
            answer += more  # the server closes the connection after its answer
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n"), answer
    assert b"<Code>RequestTimeout</Code>" in answer
    assert b"connection: close" in answer.lower()
    assert answer.count(b"HTTP/1.1 ") == 1, answer  # one answer: no parser error's 400 after it
    with pytest.raises(botocore.exceptions.ClientError) as missing:
        s3.head_object(Bucket=name, Key="stalled")
    assert missing.value.response["Error"]["Code"] == "404"
    # The server answers other connections as before, and a whole body is stored.
    s3.put_object(Bucket=name, Key="whole", Body=body)
    assert s3.get_object(Bucket=name, Key="whole")["Body"].read() == body
