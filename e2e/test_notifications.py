"""SNS topics and HTTP subscriptions, and the notification CloudTrail sends for every delivered
log file: signed messages checked with the served certificate, retries, restarts, policies."""

import base64
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.exceptions
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from conftest import Server, free_port
from test_delivery import code, new_bucket, records_in

SIGNED = {
    "Notification": ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
    "SubscriptionConfirmation": ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
}
CERTIFICATES = {}


class Receiver:
    """An HTTP endpoint that records every message SNS POSTs to it; it can go down and come back."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.messages = []
        self.httpd = None
        self.start()

    def start(self):
        received = self.messages

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body.decode()))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def of_type(self, kind):
        return [json.loads(body) for headers, body in self.messages if headers["x-amz-sns-message-type"] == kind]


def verify(message):
    """SNS's documented check: rebuild the string to sign, verify it with the certificate at SigningCertURL."""
    text = "".join(f"{name}\n{message[name]}\n" for name in SIGNED[message["Type"]] if name in message)
    url = message["SigningCertURL"]
    if url not in CERTIFICATES:  # verifiers cache the certificate by URL
        with urllib.request.urlopen(url, timeout=5) as response:
            CERTIFICATES[url] = response.read()
    certificate = x509.load_pem_x509_certificate(CERTIFICATES[url])
    digest = hashes.SHA256() if message["SignatureVersion"] == "2" else hashes.SHA1()
    certificate.public_key().verify(base64.b64decode(message["Signature"]), text.encode(), padding.PKCS1v15(), digest)


def cloudtrail_may_publish(topic_arn, account="000000000000"):
    """The topic policy CloudTrail's documentation gives."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AWSCloudTrailSNSPolicy", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "SNS:Publish", "Resource": topic_arn,
            "Condition": {"StringEquals": {"AWS:SourceAccount": account}},
        }],
    })


def confirmed_subscription(server, sns, topic_arn, receiver):
    assert sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=receiver.url)["SubscriptionArn"] == (
        "pending confirmation")
    server.advance(0)
    [confirmation] = receiver.of_type("SubscriptionConfirmation")
    verify(confirmation)
    assert confirmation["TopicArn"] == topic_arn and confirmation["Token"]
    # A receiver confirms by following the link, unsigned, as it would against AWS.
    with urllib.request.urlopen(confirmation["SubscribeURL"], timeout=5) as response:
        assert response.status == 200 and b"<SubscriptionArn>" in response.read()
    [subscription] = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert subscription["SubscriptionArn"].startswith(topic_arn + ":")
    return subscription["SubscriptionArn"]


def announced(receiver):
    """Every (bucket, key) the receiver's notifications announced, each signature checked."""
    keys = []
    for message in receiver.of_type("Notification"):
        verify(message)
        body = json.loads(message["Message"])
        keys += [(body["s3Bucket"], key) for key in body["s3ObjectKey"]]
    return keys


def make_calls(server, count):
    ec = server.client("elasticache")
    for _ in range(count):
        ec.describe_cache_clusters()


def test_topics_subscriptions_and_publish(fresh_server):
    server = fresh_server()
    receiver = Receiver()
    try:
        created = server.cli("sns", "create-topic", "--name", "alerts", "--tags", "Key=team,Value=audit")
        arn = created["TopicArn"]
        assert arn == "arn:aws:sns:us-east-1:000000000000:alerts"
        assert server.cli("sns", "create-topic", "--name", "alerts")["TopicArn"] == arn
        assert [t["TopicArn"] for t in server.cli("sns", "list-topics")["Topics"]] == [arn]
        server.cli("sns", "set-topic-attributes", "--topic-arn", arn, "--attribute-name", "DisplayName",
                   "--attribute-value", "Alerts")
        attributes = server.cli("sns", "get-topic-attributes", "--topic-arn", arn)["Attributes"]
        assert attributes["DisplayName"] == "Alerts" and attributes["Owner"] == "000000000000"
        assert json.loads(attributes["Policy"])["Statement"][0]["Resource"] == arn
        assert server.cli("sns", "list-tags-for-resource", "--resource-arn", arn)["Tags"] == [
            {"Key": "team", "Value": "audit"}]

        sns = server.client("sns")
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            sns.subscribe(TopicArn=arn, Protocol="http", Endpoint="https://example.com/")
        assert code(excinfo) == "InvalidParameter"
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            sns.confirm_subscription(TopicArn=arn, Token="0" * 64)
        assert code(excinfo) == "InvalidParameter"
        subscription = confirmed_subscription(server, sns, arn, receiver)
        assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["SubscriptionsConfirmed"] == "1"

        # Publish is a data event (AWS::SNS::Topic): a trail logs it when its selectors ask.
        bucket = new_bucket(server)
        ct = server.client("cloudtrail")
        ct.create_trail(Name="publishes", S3BucketName=bucket)
        ct.put_event_selectors(TrailName="publishes", AdvancedEventSelectors=[{"FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::SNS::Topic"]}]}])
        ct.start_logging(Name="publishes")
        message_id = sns.publish(TopicArn=arn, Subject="Hello", Message="secret body")["MessageId"]
        server.advance(0)
        [notification] = receiver.of_type("Notification")
        verify(notification)
        assert notification["MessageId"] == message_id and notification["Message"] == "secret body"
        assert notification["Subject"] == "Hello" and notification["UnsubscribeURL"]

        sns.set_subscription_attributes(
            SubscriptionArn=subscription, AttributeName="RawMessageDelivery", AttributeValue="true")
        sns.publish(TopicArn=arn, Message="raw body")
        server.advance(0)
        assert receiver.messages[-1][1] == "raw body"

        # The call is recorded with the message hidden, as AWS hides it, as a data event: in the
        # trail's files, not in the event history.
        server.advance(301)
        publishes = [r for _, r in records_in(server, bucket) if r["eventName"] == "Publish"]
        assert len(publishes) == 2
        record = publishes[0]
        assert record["eventSource"] == "sns.amazonaws.com" and record["eventCategory"] == "Data"
        assert record["resources"] == [{"type": "AWS::SNS::Topic", "ARN": arn, "accountId": "000000000000"}]
        assert record["requestParameters"]["message"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
        assert record["requestParameters"]["subject"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
        assert "secret body" not in json.dumps(publishes)
        assert server.client("cloudtrail").lookup_events(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "Publish"}])["Events"] == []

        # The UnsubscribeURL works unsigned too; the confirmation is recorded as an anonymous call.
        with urllib.request.urlopen(notification["UnsubscribeURL"], timeout=5) as response:
            assert response.status == 200
        assert sns.list_subscriptions()["Subscriptions"] == []
        events = server.client("cloudtrail").lookup_events(
            LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ConfirmSubscription"}])["Events"]
        identities = [json.loads(e["CloudTrailEvent"])["userIdentity"] for e in events]
        assert {"type": "AWSAccount", "principalId": "", "accountId": "anonymous"} in identities

        sns.delete_topic(TopicArn=arn)
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            sns.get_topic_attributes(TopicArn=arn)
        assert code(excinfo) == "NotFound"
        sns.delete_topic(TopicArn=arn)  # deleting a topic that is gone is not an error
    finally:
        receiver.stop()


def test_every_delivered_log_file_is_announced(fresh_server):
    server = fresh_server(args=("--delivery-interval", "60"))
    receiver = Receiver()
    restarted = []
    try:
        sns = server.client("sns")
        ct = server.client("cloudtrail")
        topic = sns.create_topic(Name="trail-files")["TopicArn"]
        bucket = new_bucket(server)
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            ct.create_trail(Name="audited", S3BucketName=bucket, SnsTopicName="trail-files")
        assert code(excinfo) == "InsufficientSnsTopicPolicyException"
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            ct.create_trail(Name="audited", S3BucketName=bucket, SnsTopicName="no-such-topic")
        assert code(excinfo) == "InsufficientSnsTopicPolicyException"
        sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=cloudtrail_may_publish(topic))
        confirmed_subscription(server, sns, topic, receiver)
        trail = ct.create_trail(Name="audited", S3BucketName=bucket, SnsTopicName="trail-files")
        assert trail["SnsTopicARN"] == topic
        assert ct.describe_trails()["trailList"][0]["SnsTopicName"] == "trail-files"
        ct.start_logging(Name="audited")

        make_calls(server, 5)
        server.advance(61)
        keys = announced(receiver)
        stored = {key for key, _ in records_in(server, bucket)}
        assert keys and {key for _, key in keys} == stored and {b for b, _ in keys} == {bucket}
        status = ct.get_trail_status(Name="audited")
        assert status["LatestNotificationTime"] and "LatestNotificationError" not in status

        # The receiver goes down: SNS retries 20 s apart (its default policy), and once the
        # receiver is back the waiting notification arrives, once.
        receiver.stop()
        make_calls(server, 3)
        server.advance(61)
        server.advance(20)
        receiver.start()
        server.advance(20)
        stored = {key for key, _ in records_in(server, bucket)}
        keys = [key for _, key in announced(receiver)]
        assert sorted(keys) == sorted(stored)

        # Waiting notifications survive a restart of the server.
        receiver.stop()
        make_calls(server, 2)
        server.advance(61)
        server.stop()
        server = Server(server.data_dir, args=("--delivery-interval", "60"))
        restarted.append(server)
        receiver.start()
        server.advance(600)
        # The signing key is kept in the data directory: the same certificate after a restart.
        with urllib.request.urlopen(receiver.of_type("Notification")[-1]["SigningCertURL"], timeout=5) as response:
            assert response.read() in CERTIFICATES.values()
        stored = {key for key, _ in records_in(server, bucket)}
        keys = [key for _, key in announced(receiver)]
        assert sorted(keys) == sorted(stored)

        # A policy that no longer lets CloudTrail publish shows in the status, and recovers.
        sns = server.client("sns")
        ct = server.client("cloudtrail")
        sns.set_topic_attributes(
            TopicArn=topic, AttributeName="Policy",
            AttributeValue=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "000000000000"}, "Action": "SNS:Publish", "Resource": topic}]}))
        make_calls(server, 2)
        server.advance(61)
        assert ct.get_trail_status(Name="audited")["LatestNotificationError"] == "AuthorizationError"
        sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=cloudtrail_may_publish(topic))
        before = len(receiver.of_type("Notification"))
        make_calls(server, 2)
        server.advance(61)
        assert "LatestNotificationError" not in ct.get_trail_status(Name="audited")
        assert len(receiver.of_type("Notification")) == before + 1
    finally:
        receiver.stop()
        for srv in restarted:
            srv.stop()



def s3_may_publish(topic_arn, bucket):
    """The topic policy S3's documentation gives for event notifications."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "SNS:Publish",
            "Resource": topic_arn, "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}},
        }],
    })


def test_bucket_event_notifications_reach_the_topic(fresh_server):
    server = fresh_server()
    receiver = Receiver()
    try:
        sns = server.client("sns")
        s3 = server.client("s3")
        s3.create_bucket(Bucket="noticed")
        topic = sns.create_topic(Name="bucket-events")["TopicArn"]
        configuration = {"TopicConfigurations": [{
            "Id": "logs", "TopicArn": topic, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "logs/"}]}},
        }]}
        # The topic's policy does not let S3 publish yet: the destination does not validate.
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            s3.put_bucket_notification_configuration(Bucket="noticed", NotificationConfiguration=configuration)
        assert excinfo.value.response["Error"]["Code"] == "InvalidArgument"
        sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=s3_may_publish(topic, "noticed"))
        confirmed_subscription(server, sns, topic, receiver)
        s3.put_bucket_notification_configuration(Bucket="noticed", NotificationConfiguration=configuration)
        stored = s3.get_bucket_notification_configuration(Bucket="noticed")["TopicConfigurations"]
        assert stored[0]["Id"] == "logs" and stored[0]["TopicArn"] == topic
        s3.put_object(Bucket="noticed", Key="logs/a b.txt", Body=b"12345")
        s3.put_object(Bucket="noticed", Key="elsewhere.txt", Body=b"x")
        s3.delete_object(Bucket="noticed", Key="logs/a b.txt")
        server.advance(0)
        messages = [json.loads(m["Message"]) for m in receiver.of_type("Notification")]
        for message in receiver.of_type("Notification"):
            verify(message)
        # SNS does not promise order between messages (S3's events carry a sequencer for that),
        # and the receiver takes each delivery on its own thread: compare without order.
        tests = [m for m in messages if "Event" in m]
        assert [(m["Event"], m["Bucket"]) for m in tests] == [("s3:TestEvent", "noticed")]
        records = [m["Records"][0] for m in messages if "Records" in m]
        assert sorted((r["eventName"], r["s3"]["object"]["key"]) for r in records) == [
            ("ObjectCreated:Put", "logs/a+b.txt"), ("ObjectRemoved:Delete", "logs/a+b.txt"),
        ]
        put = next(r for r in records if r["eventName"] == "ObjectCreated:Put")
        assert put["s3"]["object"]["size"] == 5 and put["s3"]["bucket"]["arn"] == "arn:aws:s3:::noticed"
        assert put["s3"]["configurationId"] == "logs" and put["eventSource"] == "aws:s3"
        assert len(messages) == 3
    finally:
        receiver.stop()
