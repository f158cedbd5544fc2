"""Log file integrity: signed, chained digest files that the real `aws cloudtrail validate-logs`
accepts after a day of calls on the manual clock, and the tampering it then reports."""

import datetime
import gzip
import json
import os
import subprocess
import uuid

import pytest

from test_delivery import trail_policy


def iso(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """A server with a day of calls logged by a trail with log file validation."""
    from conftest import Server

    srv = Server(tmp_path_factory.mktemp("validation") / "data")
    try:
        s3 = srv.client("s3")
        bucket = f"validated-{uuid.uuid4().hex[:8]}"
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_policy(Bucket=bucket, Policy=trail_policy(bucket, ["000000000000"]))
        ct = srv.client("cloudtrail")
        arn = ct.create_trail(Name="audited", S3BucketName=bucket, EnableLogFileValidation=True)["TrailARN"]
        ct.start_logging(Name="audited")
        start = iso(srv.advance(0)["now"])
        iam = srv.client("iam")
        for hour in range(24):
            if hour % 3 == 0:  # some hours deliver files, the others only a digest
                iam.create_user(UserName=f"u{hour}-{uuid.uuid4().hex[:6]}")
            srv.advance(3600)
        end = iso(srv.advance(0)["now"])
        yield srv, bucket, arn, start, end
    finally:
        srv.stop()


def validate(srv, arn, start, end, region="us-east-1"):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_SHARED_CREDENTIALS_FILE": str(srv.credentials_file), "AWS_CONFIG_FILE": os.devnull,
        "AWS_ENDPOINT_URL": srv.endpoint, "AWS_DEFAULT_REGION": region, "AWS_MAX_ATTEMPTS": "1",
    })
    return subprocess.run(
        ["aws", "cloudtrail", "validate-logs", "--trail-arn", arn, "--start-time", start.isoformat(),
         "--end-time", end.isoformat(), "--verbose"],
        capture_output=True, text=True, env=env, timeout=300,
    )


def keys(srv, bucket, kind):
    s3 = srv.client("s3")
    prefix = f"AWSLogs/000000000000/{kind}/"
    return [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for o in page.get("Contents", [])]


def test_a_day_of_digests_and_log_files_is_valid(validated):
    srv, bucket, arn, start, end = validated
    digests = keys(srv, bucket, "CloudTrail-Digest")
    logs = keys(srv, bucket, "CloudTrail")
    assert len(digests) == 24 and len(logs) >= 8
    status = srv.client("cloudtrail").get_trail_status(Name="audited")
    assert "LatestDigestDeliveryTime" in status and "LatestDigestDeliveryError" not in status
    result = validate(srv, arn, start, end)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "24/24 digest files valid" in result.stdout
    assert f"{len(logs)}/{len(logs)} log files valid" in result.stdout
    # The first digest starts the chain; the others name their predecessor.
    s3 = srv.client("s3")
    first = json.loads(gzip.decompress(s3.get_object(Bucket=bucket, Key=sorted(digests)[0])["Body"].read()))
    assert first["previousDigestSignature"] is None and first["digestSignatureAlgorithm"] == "SHA256withRSA"
    head = s3.head_object(Bucket=bucket, Key=sorted(digests)[1])
    assert head["Metadata"]["signature-algorithm"] == "SHA256withRSA" and len(head["Metadata"]["signature"]) == 512


def tampered(srv, bucket, key, change):
    """Runs `change` on the object at `key`, then restores it as it was."""
    s3 = srv.client("s3")
    original = s3.get_object(Bucket=bucket, Key=key)
    body, metadata = original["Body"].read(), original["Metadata"]

    class Restore:
        def __enter__(self):
            change(s3, body, metadata)

        def __exit__(self, *exc):
            s3.delete_object(Bucket=bucket, Key=key)
            s3.put_object(Bucket=bucket, Key=key, Body=body, Metadata=metadata, ContentEncoding="gzip")

    return Restore()


def log_with_records(srv, bucket):
    return sorted(keys(srv, bucket, "CloudTrail"))[1]


def test_a_modified_log_file_is_reported(validated):
    srv, bucket, arn, start, end = validated
    key = log_with_records(srv, bucket)

    def modify(s3, body, metadata):
        records = json.loads(gzip.decompress(body))
        records["Records"][0]["sourceIPAddress"] = "203.0.113.9"
        s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(json.dumps(records).encode()))

    with tampered(srv, bucket, key, modify):
        result = validate(srv, arn, start, end)
    assert result.returncode == 1
    assert f"Log file\ts3://{bucket}/{key}\tINVALID: hash value doesn't match" in result.stderr


def test_a_deleted_log_file_is_reported(validated):
    srv, bucket, arn, start, end = validated
    key = log_with_records(srv, bucket)
    with tampered(srv, bucket, key, lambda s3, body, metadata: s3.delete_object(Bucket=bucket, Key=key)):
        result = validate(srv, arn, start, end)
    assert result.returncode == 1
    assert f"Log file\ts3://{bucket}/{key}\tINVALID: not found" in result.stderr


def test_a_deleted_digest_is_reported(validated):
    srv, bucket, arn, start, end = validated
    key = sorted(keys(srv, bucket, "CloudTrail-Digest"))[10]
    with tampered(srv, bucket, key, lambda s3, body, metadata: s3.delete_object(Bucket=bucket, Key=key)):
        result = validate(srv, arn, start, end)
    assert result.returncode == 1
    assert f"Digest file\ts3://{bucket}/{key}\tINVALID: not found" in result.stderr


def test_a_moved_digest_is_reported(validated):
    srv, bucket, arn, start, end = validated
    digests = sorted(keys(srv, bucket, "CloudTrail-Digest"))
    key, other = digests[10], digests[11]

    def move(s3, body, metadata):
        # The digest of hour 11 put where hour 12's belongs (that one saved and restored below).
        s3.put_object(Bucket=bucket, Key=key, Body=s3.get_object(Bucket=bucket, Key=other)["Body"].read(),
                      Metadata=metadata, ContentEncoding="gzip")

    with tampered(srv, bucket, key, move):
        result = validate(srv, arn, start, end)
    assert result.returncode == 1
    assert f"Digest file\ts3://{bucket}/{key}\tINVALID: has been moved from its original location" in result.stderr


def test_a_digest_signed_with_another_key_is_reported(validated):
    srv, bucket, arn, start, end = validated
    key = sorted(keys(srv, bucket, "CloudTrail-Digest"))[10]
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    def resign(s3, body, metadata):
        digest = gzip.decompress(body)
        data = json.loads(digest)
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        import hashlib

        to_sign = "\n".join([
            data["digestEndTime"], f"{bucket}/{key}", hashlib.sha256(digest).hexdigest(),
            data["previousDigestSignature"] or "null",
        ]).encode()
        signature = stranger.sign(to_sign, padding.PKCS1v15(), hashes.SHA256()).hex()
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentEncoding="gzip",
                      Metadata={**metadata, "signature": signature})

    with tampered(srv, bucket, key, resign):
        result = validate(srv, arn, start, end)
    assert result.returncode == 1
    assert f"Digest file\ts3://{bucket}/{key}\tINVALID: signature verification failed" in result.stderr


def test_a_trail_in_china_signs_and_validates_in_its_partition(tmp_path):
    """A trail of cn-north-1 is `arn:aws-cn:`, writes into a bucket whose policy names
    `arn:aws-cn:s3:::` (an `arn:aws:` policy lets nothing in), and validate-logs accepts it."""
    from conftest import Server

    srv = Server(tmp_path / "data")
    try:
        region = "cn-north-1"
        s3 = srv.client("s3", region=region)
        bucket = f"china-{uuid.uuid4().hex[:8]}"
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
        ct = srv.client("cloudtrail", region=region)
        s3.put_bucket_policy(Bucket=bucket, Policy=trail_policy(bucket, ["000000000000"]))
        with pytest.raises(ct.exceptions.InsufficientS3BucketPolicyException):
            ct.create_trail(Name="china", S3BucketName=bucket, EnableLogFileValidation=True)
        s3.put_bucket_policy(
            Bucket=bucket, Policy=trail_policy(bucket, ["000000000000"]).replace("arn:aws:", "arn:aws-cn:"))
        arn = ct.create_trail(Name="china", S3BucketName=bucket, EnableLogFileValidation=True)["TrailARN"]
        assert arn == "arn:aws-cn:cloudtrail:cn-north-1:000000000000:trail/china"
        ct.start_logging(Name="china")
        start = iso(srv.advance(0)["now"])
        for hour in range(3):
            srv.client("elasticache", region=region).describe_cache_clusters()
            srv.advance(3600)
        end = iso(srv.advance(0)["now"])
        result = validate(srv, arn, start, end, region=region)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "3/3 digest files valid" in result.stdout
        logs = [k for k in keys(srv, bucket, "CloudTrail") if "/cn-north-1/" in k]
        assert logs and f"{len(logs)}/{len(logs)} log files valid" in result.stdout
        record = json.loads(gzip.decompress(srv.client("s3", region=region).get_object(
            Bucket=bucket, Key=sorted(logs)[0])["Body"].read()))["Records"][0]
        assert record["userIdentity"]["arn"] == "arn:aws-cn:iam::000000000000:root"
    finally:
        srv.stop()
