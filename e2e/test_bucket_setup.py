"""What bucket set-up tools send, served with its semantics: CORS, website, logging, ownership
controls, public access block, policy status; and CloudTrail's names for S3 events."""

import json
import uuid

import botocore.exceptions
import pytest


def code_of(call):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        call()
    return excinfo.value.response["Error"]["Code"]


def new_bucket(server):
    name = f"setup-{uuid.uuid4().hex[:10]}"
    server.client("s3").create_bucket(Bucket=name)
    return name


PUBLIC_READ = lambda bucket: json.dumps({  # noqa: E731
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}],
})


def test_cors_round_trips_and_deleting_it_keeps_the_bucket(server):
    s3 = server.client("s3")
    bucket = new_bucket(server)
    assert code_of(lambda: s3.get_bucket_cors(Bucket=bucket)) == "NoSuchCORSConfiguration"
    rules = [{"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["https://example.com"], "MaxAgeSeconds": 300}]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    got = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert got[0]["AllowedMethods"] == ["GET", "PUT"] and got[0]["MaxAgeSeconds"] == 300
    assert code_of(
        lambda: s3.put_bucket_cors(
            Bucket=bucket, CORSConfiguration={"CORSRules": [{"AllowedMethods": ["PATCH"], "AllowedOrigins": ["*"]}]}
        )
    ) == "InvalidRequest"
    s3.delete_bucket_cors(Bucket=bucket)
    assert code_of(lambda: s3.get_bucket_cors(Bucket=bucket)) == "NoSuchCORSConfiguration"
    s3.head_bucket(Bucket=bucket)


def test_website_and_logging_are_kept(server):
    s3 = server.client("s3")
    bucket, target = new_bucket(server), new_bucket(server)
    s3.put_bucket_website(
        Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "e.html"}}
    )
    website = server.cli("s3api", "get-bucket-website", "--bucket", bucket)
    assert website["IndexDocument"] == {"Suffix": "index.html"} and website["ErrorDocument"] == {"Key": "e.html"}
    s3.delete_bucket_website(Bucket=bucket)
    assert code_of(lambda: s3.get_bucket_website(Bucket=bucket)) == "NoSuchWebsiteConfiguration"

    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    s3.put_bucket_logging(
        Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "access/"}}
    )
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == {"TargetBucket": target, "TargetPrefix": "access/"}
    assert code_of(
        lambda: s3.put_bucket_logging(
            Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "no-such-target-x", "TargetPrefix": ""}}
        )
    ) == "InvalidTargetBucketForLogging"


def test_bucket_owner_enforced_disables_acls(server):
    s3 = server.client("s3")
    bucket = new_bucket(server)
    assert code_of(lambda: s3.get_bucket_ownership_controls(Bucket=bucket)) == "OwnershipControlsNotFoundError"
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert code_of(lambda: s3.put_bucket_acl(Bucket=bucket, ACL="private")) == "AccessControlListNotSupported"
    assert code_of(
        lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="public-read")
    ) == "AccessControlListNotSupported"
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="private")


def test_a_public_access_block_refuses_public_policies_and_acls(server):
    s3 = server.client("s3")
    bucket = new_bucket(server)
    assert code_of(lambda: s3.get_public_access_block(Bucket=bucket)) == "NoSuchPublicAccessBlockConfiguration"
    block = {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
    }
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == block
    assert code_of(lambda: s3.put_bucket_policy(Bucket=bucket, Policy=PUBLIC_READ(bucket))) == "AccessDenied"
    assert code_of(lambda: s3.put_bucket_acl(Bucket=bucket, ACL="public-read")) == "AccessDenied"
    assert code_of(lambda: s3.get_bucket_policy_status(Bucket=bucket)) == "NoSuchBucketPolicy"
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=PUBLIC_READ(bucket))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": True}


def test_s3_events_carry_cloudtrails_names(server):
    s3 = server.client("s3")
    bucket = new_bucket(server)
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={"Rules": [{"ID": "old", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 30}}]},
    )
    s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    ct = server.client("cloudtrail")
    for name in ("PutBucketLifecycle", "GetBucketLifecycle"):
        events = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])["Events"]
        assert any(json.loads(e["CloudTrailEvent"])["requestParameters"]["bucketName"] == bucket for e in events), name
    for name in ("PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration"):
        assert not ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])["Events"]
