#!/usr/bin/env python3
"""Notification latency: log file stored → SNS message received by an HTTP subscriber.

Usage (release build in .build-release):

    python3 bench/notify.py [--samples 30]

A logging trail (1 s delivery interval, system clock) on the embedded bucket announces its
files to a topic with one confirmed HTTP subscription on a local receiver. For each sample
one API call is made; the notification naming the file that holds it is awaited. Reported:
stored → received (the message's Timestamp, taken in the transaction that stored the object,
to its arrival at the receiver) and call → received, p50 and p99.
"""

import argparse
import json
import sys
import threading
import time
import urllib.request
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the shared harness pieces)

BUCKET = "notify-logs"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=30)
    options = parser.parse_args()
    arrivals = []
    arrived = threading.Condition()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with arrived:
                arrivals.append((time.time(), body))
                arrived.notify_all()
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    port = run.free_port()
    receiver = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    target = run.Target("cachetrail", ("--delivery-interval", "1"))
    try:
        target.client("sts").get_caller_identity()  # the server answers signed calls
        s3 = target.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": ["s3:GetBucketAcl", "s3:PutObject"], "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]}]}))
        sns = target.client("sns")
        topic = sns.create_topic(Name="files")["TopicArn"]
        sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                                                   "Action": "SNS:Publish", "Resource": topic}]}))
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=f"http://127.0.0.1:{port}/")
        with arrived:
            arrived.wait_for(lambda: arrivals, timeout=10)
        with urllib.request.urlopen(arrivals[0][1]["SubscribeURL"], timeout=5):
            pass
        trail = target.client("cloudtrail")
        trail.create_trail(Name="notify", S3BucketName=BUCKET, SnsTopicName="files")
        trail.start_logging(Name="notify")
        time.sleep(2)  # let the files of the set-up calls go by
        iam = target.client("iam")
        stored_to_received, call_to_received = [], []
        for _ in range(options.samples):
            with arrived:
                seen = len(arrivals)
            started = time.time()
            iam.list_users()
            with arrived:
                if not arrived.wait_for(lambda: len(arrivals) > seen, timeout=10):
                    raise RuntimeError("no notification within 10 s")
                received, message = arrivals[seen]
            stamp = datetime.fromisoformat(message["Timestamp"].replace("Z", "+00:00")).timestamp()
            stored_to_received.append((received - stamp) * 1000)
            call_to_received.append((received - started) * 1000)
            time.sleep(0.3)
        for name, values in [("stored → received", stored_to_received), ("call → received", call_to_received)]:
            print(f"{name}: p50 {percentile(values, 0.5):.1f} ms, p99 {percentile(values, 0.99):.1f} ms "
                  f"(n={len(values)})")
    finally:
        target.stop()
        receiver.shutdown()


if __name__ == "__main__":
    main()
