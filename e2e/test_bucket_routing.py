"""The bucket: a request is answered by the operation it names, or by S3's NotImplemented."""

import json

import botocore.exceptions
import pytest


def error_of(call):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        call()
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_deleting_an_unserved_subresource_leaves_the_bucket(server):
    s3 = server.client("s3")
    s3.create_bucket(Bucket="keeps-its-replication")
    assert error_of(lambda: s3.delete_bucket_replication(Bucket="keeps-its-replication")) == ("NotImplemented", 501)
    result = server.cli(
        "s3api", "delete-bucket-analytics-configuration", "--bucket", "keeps-its-replication", "--id", "a",
        check=False,
    )
    assert result.returncode != 0 and "NotImplemented" in result.stderr
    s3.head_bucket(Bucket="keeps-its-replication")
    names = [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
    assert "keeps-its-replication" in names


def test_putting_an_unserved_configuration_is_not_create_bucket(server):
    s3 = server.client("s3")
    s3.create_bucket(Bucket="not-replicated")
    assert error_of(
        lambda: s3.put_bucket_request_payment(
            Bucket="not-replicated", RequestPaymentConfiguration={"Payer": "Requester"}
        )
    ) == ("NotImplemented", 501)
    assert error_of(lambda: s3.get_bucket_replication(Bucket="not-replicated")) == ("NotImplemented", 501)
    events = server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "PutBucketRequestPayment"}], MaxResults=50
    )["Events"]
    # Recorded under the operation the caller asked for, with S3's error: not as CreateBucket.
    records = [json.loads(event["CloudTrailEvent"]) for event in events]
    assert records and all(record["errorCode"] == "NotImplemented" for record in records)
