"""`cachetrail policy` prints the bucket and topic policies CloudTrail's documentation gives;
applied as printed, CreateTrail accepts the bucket and topic, and a policy scoped to one trail
refuses another trail, as AWS does."""

import json
import subprocess

import pytest
from botocore.exceptions import ClientError

from conftest import BINARY


def policy(*args):
    result = subprocess.run([str(BINARY), "policy", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_printed_policies_let_cloudtrail_write_and_publish(fresh_server):
    server = fresh_server()
    s3, sns, ct = server.client("s3"), server.client("sns"), server.client("cloudtrail")
    s3.create_bucket(Bucket="helper-logs")
    document = policy("bucket", "--bucket", "helper-logs", "--trail", "helper", "--region", "us-east-1")
    statements = json.loads(document)["Statement"]
    assert [s["Action"] for s in statements] == ["s3:GetBucketAcl", "s3:PutObject"]
    assert statements[1]["Resource"] == "arn:aws:s3:::helper-logs/AWSLogs/000000000000/*"
    s3.put_bucket_policy(Bucket="helper-logs", Policy=document)
    topic = sns.create_topic(Name="helper-topic")["TopicArn"]
    sns.set_topic_attributes(
        TopicArn=topic, AttributeName="Policy",
        AttributeValue=policy("topic", "--topic-arn", topic, "--trail", "helper", "--region", "us-east-1"))
    trail = ct.create_trail(Name="helper", S3BucketName="helper-logs", SnsTopicName="helper-topic")
    assert trail["SnsTopicARN"] == topic
    # Scoped to the trail named helper: another trail may not use the bucket.
    with pytest.raises(ClientError) as refused:
        ct.create_trail(Name="other", S3BucketName="helper-logs")
    assert refused.value.response["Error"]["Code"] == "InsufficientS3BucketPolicyException"


def test_a_trail_option_needs_its_region():
    result = subprocess.run(
        [str(BINARY), "policy", "bucket", "--bucket", "b", "--trail", "t"], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "--trail needs --region" in result.stderr


def test_advanced_selectors_name_known_fields_only(fresh_server):
    server = fresh_server()
    s3, ct = server.client("s3"), server.client("cloudtrail")
    s3.create_bucket(Bucket="selector-logs")
    s3.put_bucket_policy(Bucket="selector-logs", Policy=policy("bucket", "--bucket", "selector-logs"))
    ct.create_trail(Name="selective", S3BucketName="selector-logs")
    with pytest.raises(ClientError) as refused:
        ct.put_event_selectors(TrailName="selective", AdvancedEventSelectors=[
            {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                {"Field": "colour", "Equals": ["blue"]}]}])
    assert refused.value.response["Error"]["Code"] == "InvalidEventSelectorsException"
    accepted = ct.put_event_selectors(TrailName="selective", AdvancedEventSelectors=[
        {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                            {"Field": "readOnly", "Equals": ["false"]}]}])
    assert accepted["AdvancedEventSelectors"][0]["FieldSelectors"][1]["Field"] == "readOnly"
