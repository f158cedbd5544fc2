"""Versioned buckets: version ids, delete markers, reads and deletes by version, listings of
versions, lifecycle of noncurrent versions; and a trail bucket set up as CloudTrail bucket
modules set it up."""

import datetime
import gzip
import json
import uuid

import botocore.exceptions
import pytest

from test_delivery import trail_policy


def code_of(call):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        call()
    return excinfo.value.response["Error"]["Code"]


def versioned_bucket(server):
    s3 = server.client("s3")
    name = f"versions-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    assert "Status" not in s3.get_bucket_versioning(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    return name


def test_versions_survive_a_delete_and_come_back_by_id(server):
    s3 = server.client("s3")
    bucket = versioned_bucket(server)
    first = s3.put_object(Bucket=bucket, Key="doc", Body=b"one")["VersionId"]
    second = s3.put_object(Bucket=bucket, Key="doc", Body=b"two")["VersionId"]
    assert first != second and first != "null"
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"two"
    assert s3.get_object(Bucket=bucket, Key="doc", VersionId=first)["Body"].read() == b"one"

    deleted = s3.delete_object(Bucket=bucket, Key="doc")
    assert deleted["DeleteMarker"] is True and deleted["VersionId"] not in (first, second)
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="doc")) == "NoSuchKey"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    assert s3.get_object(Bucket=bucket, Key="doc", VersionId=second)["Body"].read() == b"two"
    assert code_of(lambda: s3.get_object(Bucket=bucket, Key="doc", VersionId="no-such-version")) == "NoSuchVersion"

    listing = s3.list_object_versions(Bucket=bucket)
    assert [(v["VersionId"], v["IsLatest"]) for v in listing["Versions"]] == [(second, False), (first, False)]
    assert [(m["VersionId"], m["IsLatest"]) for m in listing["DeleteMarkers"]] == [(deleted["VersionId"], True)]

    # Removing the marker brings the newest version back.
    s3.delete_object(Bucket=bucket, Key="doc", VersionId=deleted["VersionId"])
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"two"
    # Removing a version for good.
    s3.delete_object(Bucket=bucket, Key="doc", VersionId=second)
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"one"
    assert code_of(lambda: s3.delete_bucket(Bucket=bucket)) == "BucketNotEmpty"
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "doc", "VersionId": first}]})
    assert "Versions" not in s3.list_object_versions(Bucket=bucket)
    s3.delete_bucket(Bucket=bucket)


def test_objects_written_before_versioning_are_null_versions(server):
    s3 = server.client("s3")
    name = f"versions-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="old", Body=b"before")
    listed = s3.list_object_versions(Bucket=name)["Versions"]
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in listed] == [("old", "null", True)]
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    new = s3.put_object(Bucket=name, Key="old", Body=b"after")["VersionId"]
    assert s3.get_object(Bucket=name, Key="old", VersionId="null")["Body"].read() == b"before"
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
    assert s3.put_object(Bucket=name, Key="old", Body=b"suspended").get("VersionId") == "null"
    versions = s3.list_object_versions(Bucket=name)["Versions"]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions] == [("null", True), (new, False)]
    # The AWS CLI reads the same listing.
    cli = server.cli("s3api", "list-object-versions", "--bucket", name)
    assert {v["VersionId"] for v in cli["Versions"]} == {"null", new}


def test_noncurrent_versions_expire_by_lifecycle(fresh_server):
    srv = fresh_server()
    s3 = srv.client("s3")
    bucket = versioned_bucket(srv)
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={"Rules": [{
            "ID": "noncurrent", "Status": "Enabled", "Filter": {"Prefix": ""},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
            "Expiration": {"ExpiredObjectDeleteMarker": True},
        }]},
    )
    old = s3.put_object(Bucket=bucket, Key="k", Body=b"old")["VersionId"]
    current = s3.put_object(Bucket=bucket, Key="k", Body=b"new")["VersionId"]
    s3.put_object(Bucket=bucket, Key="gone", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="gone")
    srv.advance(29 * 86400)
    assert {v["VersionId"] for v in s3.list_object_versions(Bucket=bucket, Prefix="k")["Versions"]} == {old, current}
    srv.advance(2 * 86400 + 60)
    listing = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in listing["Versions"] if v["Key"] == "k"] == [current]
    # "gone": its object version expired as noncurrent, then the lone delete marker went too.
    assert all(v["Key"] != "gone" for v in listing.get("Versions", []) + listing.get("DeleteMarkers", []))


def test_a_trail_bucket_set_up_like_a_cloudtrail_module_receives_log_files(fresh_server):
    server = fresh_server()  # its own: the shared server's account is at its trail quota
    s3 = server.client("s3")
    bucket = f"trail-module-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={"Rules": [{
            "ID": "logs", "Status": "Enabled", "Filter": {"Prefix": ""},
            "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}],
            "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
        }]},
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=trail_policy(bucket, ["000000000000"]))
    ct = server.client("cloudtrail")
    name = f"module-{uuid.uuid4().hex[:6]}"
    ct.create_trail(Name=name, S3BucketName=bucket)
    ct.start_logging(Name=name)
    marker = server.client("iam").create_user(UserName=f"m-{uuid.uuid4().hex[:8]}")["ResponseMetadata"]["RequestId"]
    server.advance(301)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="AWSLogs/").get("Contents", [])]
    assert keys
    records = [
        r for k in keys
        for r in json.loads(gzip.decompress(s3.get_object(Bucket=bucket, Key=k)["Body"].read()))["Records"]
    ]
    assert marker in {r["requestID"] for r in records}
    versions = s3.list_object_versions(Bucket=bucket, Prefix="AWSLogs/")["Versions"]
    assert all(v["VersionId"] != "null" for v in versions)


def test_object_lock_keeps_locked_versions(fresh_server):
    srv = fresh_server()
    s3 = srv.client("s3")
    s3.create_bucket(Bucket="locked", ObjectLockEnabledForBucket=True)
    assert s3.get_bucket_versioning(Bucket="locked")["Status"] == "Enabled"
    assert code_of(
        lambda: s3.put_bucket_versioning(Bucket="locked", VersioningConfiguration={"Status": "Suspended"})
    ) == "InvalidBucketState"
    s3.put_object_lock_configuration(
        Bucket="locked",
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}},
        },
    )
    rule = s3.get_object_lock_configuration(Bucket="locked")["ObjectLockConfiguration"]["Rule"]
    assert rule == {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}

    governed = s3.put_object(Bucket="locked", Key="g", Body=b"governed")["VersionId"]
    head = s3.head_object(Bucket="locked", Key="g")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert code_of(lambda: s3.delete_object(Bucket="locked", Key="g", VersionId=governed)) == "AccessDenied"
    # A delete without a version id only adds a delete marker: allowed.
    s3.delete_object(Bucket="locked", Key="g")
    s3.delete_object(Bucket="locked", Key="g", VersionId=governed, BypassGovernanceRetention=True)

    now = datetime.datetime.fromisoformat(srv.advance(0)["now"].replace("Z", "+00:00"))
    complied = s3.put_object(
        Bucket="locked", Key="c", Body=b"kept", ObjectLockMode="COMPLIANCE",
        ObjectLockRetainUntilDate=now + datetime.timedelta(days=2),
    )["VersionId"]
    assert code_of(
        lambda: s3.delete_object(Bucket="locked", Key="c", VersionId=complied, BypassGovernanceRetention=True)
    ) == "AccessDenied"
    assert code_of(
        lambda: s3.put_object_retention(
            Bucket="locked", Key="c", VersionId=complied,
            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": now + datetime.timedelta(days=1)},
        )
    ) == "AccessDenied"
    s3.put_object_legal_hold(Bucket="locked", Key="c", VersionId=complied, LegalHold={"Status": "ON"})
    assert s3.get_object_legal_hold(Bucket="locked", Key="c", VersionId=complied)["LegalHold"]["Status"] == "ON"
    srv.advance(3 * 86400)
    # Retention has passed; the legal hold still holds until it is taken off.
    assert code_of(lambda: s3.delete_object(Bucket="locked", Key="c", VersionId=complied)) == "AccessDenied"
    s3.put_object_legal_hold(Bucket="locked", Key="c", VersionId=complied, LegalHold={"Status": "OFF"})
    s3.delete_object(Bucket="locked", Key="c", VersionId=complied)
