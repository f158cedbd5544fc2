"""Delivery into a bucket behind an external S3-compatible endpoint: moto's server."""

import gzip
import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest

from conftest import free_port
from test_delivery import backlog

MOTO_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
KEY_PATTERN = re.compile(
    r"^AWSLogs/000000000000/CloudTrail/us-east-1/\d{4}/\d{2}/\d{2}/"
    r"000000000000_CloudTrail_us-east-1_\d{8}T\d{4}Z_[0-9A-Za-z]{16}\.json\.gz$"
)


class Moto:
    """moto's server on a fixed loopback port; stop() and start() again simulate an outage."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_dir = log_dir
        self.process = None

    def start(self):
        binary = shutil.which("moto_server") or str(Path(os.sys.executable).parent / "moto_server")
        log = open(self.log_dir / f"moto-{time.monotonic_ns()}.log", "w")
        self.process = subprocess.Popen(
            [binary, "-H", "127.0.0.1", "-p", str(self.port)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("moto_server did not start")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def s3(self):
        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1", **MOTO_KEYS)

    def records(self, bucket):
        s3 = self.s3()
        found = []
        for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
            found += [(obj["Key"], r) for r in json.loads(gzip.decompress(body))["Records"]]
        return found


@pytest.fixture
def moto(tmp_path):
    server = Moto(tmp_path)
    server.start()
    yield server
    server.stop()


def test_external_bucket_delivery_outage_and_recovery(moto, fresh_server):
    bucket = f"ext-{uuid.uuid4().hex[:8]}"
    moto.s3().create_bucket(Bucket=bucket)
    srv = fresh_server(
        args=("--s3-endpoint", moto.endpoint),
        extra_env={"CACHETRAIL_S3_ACCESS_KEY_ID": "testing", "CACHETRAIL_S3_SECRET_ACCESS_KEY": "testing"})
    ct = srv.client("cloudtrail")
    ct.create_trail(Name="external", S3BucketName=bucket)
    ct.start_logging(Name="external")
    iam = srv.client("iam")
    first = [iam.create_user(UserName=f"x-{i}")["ResponseMetadata"]["RequestId"] for i in range(4)]
    srv.advance(301)

    found = moto.records(bucket)
    assert found, "no log file reached the external bucket"
    for key, _ in found:
        assert KEY_PATTERN.match(key), key
    ids = [r["requestID"] for _, r in found]
    for request_id in first:
        assert ids.count(request_id) == 1, request_id
    head = moto.s3().head_object(Bucket=bucket, Key=found[0][0])
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentEncoding"] == "gzip"
    status = ct.get_trail_status(Name="external")
    assert "LatestDeliveryTime" in status and "LatestDeliveryError" not in status

    # The endpoint goes away: events wait in the journal, status tells why.
    moto.stop()
    second = [iam.create_user(UserName=f"y-{i}")["ResponseMetadata"]["RequestId"] for i in range(4)]
    srv.advance(301)
    status = ct.get_trail_status(Name="external")
    assert status["LatestDeliveryError"] == "EndpointUnreachable"
    trail_arn = "arn:aws:cloudtrail:us-east-1:000000000000:trail/external"
    assert backlog(srv, trail_arn) >= len(second)  # the waiting events show in the metrics
    # Both are strings in CloudTrail's model: the failed attempt is newer than the last success.
    assert status["LatestDeliveryAttemptTime"] != status["LatestDeliveryAttemptSucceeded"]

    # It comes back (empty: moto keeps state in memory); the next attempt after the backoff
    # delivers every waiting event once, and the error clears by itself.
    moto.start()
    moto.s3().create_bucket(Bucket=bucket)
    srv.advance(1)  # within the backoff: not retried yet
    assert moto.records(bucket) == []
    srv.advance(600)
    again = moto.records(bucket)
    ids = [r["requestID"] for _, r in again]
    for request_id in second:
        assert ids.count(request_id) == 1, request_id
    assert not set(first) & set(ids), "events delivered before the outage were sent again"
    # Read before GetTrailStatus: that call's own event would wait for the next file.
    assert backlog(srv, trail_arn) == 0
    status = ct.get_trail_status(Name="external")
    assert "LatestDeliveryError" not in status


def test_external_bucket_refusal_is_reported(moto, fresh_server):
    srv = fresh_server(
        args=("--s3-endpoint", moto.endpoint),
        extra_env={"CACHETRAIL_S3_ACCESS_KEY_ID": "testing", "CACHETRAIL_S3_SECRET_ACCESS_KEY": "testing"})
    ct = srv.client("cloudtrail")
    bucket = f"later-{uuid.uuid4().hex[:8]}"
    ct.create_trail(Name="early", S3BucketName=bucket)  # not created on the endpoint yet
    ct.start_logging(Name="early")
    request_id = srv.client("sts").get_caller_identity()["ResponseMetadata"]["RequestId"]
    srv.advance(301)
    assert ct.get_trail_status(Name="early")["LatestDeliveryError"] == "NoSuchBucket"
    moto.s3().create_bucket(Bucket=bucket)
    srv.advance(600)
    assert [r["requestID"] for _, r in moto.records(bucket)].count(request_id) == 1
    assert "LatestDeliveryError" not in ct.get_trail_status(Name="early")


def test_digests_reach_an_external_bucket_and_validate(moto, fresh_server):
    bucket = f"ext-digests-{uuid.uuid4().hex[:8]}"
    moto.s3().create_bucket(Bucket=bucket)
    srv = fresh_server(
        args=("--s3-endpoint", moto.endpoint),
        extra_env={"CACHETRAIL_S3_ACCESS_KEY_ID": "testing", "CACHETRAIL_S3_SECRET_ACCESS_KEY": "testing"})
    ct = srv.client("cloudtrail")
    arn = ct.create_trail(Name="ext-validated", S3BucketName=bucket, EnableLogFileValidation=True)["TrailARN"]
    ct.start_logging(Name="ext-validated")
    start = srv.advance(0)["now"]
    iam = srv.client("iam")
    for hour in range(3):
        iam.create_user(UserName=f"ext-{hour}-{uuid.uuid4().hex[:6]}")
        srv.advance(3600)
    end = srv.advance(0)["now"]
    digests = [o["Key"] for o in moto.s3().list_objects_v2(Bucket=bucket, Prefix="AWSLogs/000000000000/CloudTrail-Digest/")
               .get("Contents", [])]
    assert len(digests) == 3
    head = moto.s3().head_object(Bucket=bucket, Key=digests[0])
    assert head["Metadata"]["signature-algorithm"] == "SHA256withRSA"
    # The real CLI: CloudTrail calls to cachetrail, S3 reads from the external endpoint.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_SHARED_CREDENTIALS_FILE": str(srv.credentials_file), "AWS_CONFIG_FILE": os.devnull,
        "AWS_ENDPOINT_URL": srv.endpoint, "AWS_ENDPOINT_URL_S3": moto.endpoint, "AWS_DEFAULT_REGION": "us-east-1",
    })
    result = subprocess.run(
        ["aws", "cloudtrail", "validate-logs", "--trail-arn", arn, "--start-time", start, "--end-time", end,
         "--verbose"], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3/3 digest files valid" in result.stdout
