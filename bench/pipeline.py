#!/usr/bin/env python3
"""Capture and delivery pipeline: events/s from API calls to gzip log files in the bucket.

Usage (release build in .build-release, wrk installed):

    python3 bench/pipeline.py --events 1000000 [--seconds 20]

1. Live: a logging trail (1 s delivery interval) on the embedded bucket while wrk replays
   signed CreateCacheCluster/DescribeCacheClusters/GetCallerIdentity calls at 8 connections
   for --seconds; reports events captured per second and the backlog left when the load stops.
2. Drain: the server is stopped, the journal is filled up to --events with copies of the
   records just captured (fresh eventID/requestID each), the server restarted, and the time
   until the trail's backlog gauge reaches zero gives delivery events/s over the whole set;
   bytes per event (compressed, in the bucket) from the objects written.
3. Yardstick, same run: `gzip -6` on one core over the same records as one JSON document.
"""

import argparse
import os
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the shared harness pieces)

BUCKET = "pipeline-logs"


def policy(account):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{BUCKET}"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{BUCKET}/AWSLogs/{account}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]})


def backlog(target):
    with urllib.request.urlopen(f"{target.endpoint}/_cachetrail/metrics", timeout=5) as response:
        for line in response.read().decode().splitlines():
            if line.startswith("cachetrail_trail_backlog_positions"):
                return float(line.rsplit(" ", 1)[1])
    return None


def wait_drained(target, timeout):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        value = backlog(target)
        if value == 0:
            return time.monotonic() - started
        time.sleep(0.2)
    raise RuntimeError("backlog did not drain")


def start(data_dir, port=None):
    return run.Target(
        "cachetrail", data_dir=data_dir, port=port,
        args=("--cluster-quota", "10000000", "--node-quota", "10000000", "--delivery-interval", "1"))


def requests(target, count):
    out = []
    for i in range(count):
        out.append(run.signed_query(target, "elasticache", {
            "Action": "CreateCacheCluster", "Version": "2015-02-02", "CacheClusterId": f"p-{i:07d}",
            "Engine": "redis", "CacheNodeType": "cache.t3.micro", "NumCacheNodes": "1"}))
        out.append(run.signed_query(target, "elasticache", {
            "Action": "DescribeCacheClusters", "Version": "2015-02-02", "MaxRecords": "20"}))
        out.append(run.signed_query(target, "sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"}))
    return out


def fill(path, total):
    """Copies the captured records until the journal holds `total` events; returns how many were added."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    columns = ("event_id, account, region, event_time, event_name, event_source, read_only, username, access_key_id, "
               "record, management, resource_arn, resource_type, resource_name")
    models = db.execute(f"SELECT {columns} FROM events WHERE management = 1").fetchall()
    have = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    rng = random.Random(7)
    now = time.time()
    added = 0
    batch = []
    while have + added < total:
        row = list(models[added % len(models)])
        new_id = str(uuid.UUID(int=rng.getrandbits(128)))
        row[9] = row[9].replace(row[0], new_id)
        row[0] = new_id
        row[3] = now
        batch.append(row)
        added += 1
        if len(batch) == 50_000:
            db.executemany(f"INSERT INTO events ({columns}) VALUES ({','.join('?' * 14)})", batch)
            batch = []
    if batch:
        db.executemany(f"INSERT INTO events ({columns}) VALUES ({','.join('?' * 14)})", batch)
    db.commit()
    records = [r[0] for r in db.execute("SELECT record FROM events ORDER BY seq")]
    db.close()
    return added, records


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=20)
    options = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    target = start(data_dir)
    account = target.client("sts").get_caller_identity()["Account"]
    s3 = target.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=policy(account))
    ct = target.client("cloudtrail")
    ct.create_trail(Name="pipeline", S3BucketName=BUCKET)
    ct.start_logging(Name="pipeline")

    # 1. Live.
    script = data_dir / "pipeline.lua"
    # Unique ids for up to 15,000 calls/s (each request triple holds one create; wrk's threads
    # take turns through them, so past that rate creates repeat and fail: at 6,000, a run of
    # 7,719 calls/s answered 8,622 CacheClusterAlreadyExists).
    run.lua_script(requests(target, 5_000 * options.seconds), script)
    result = run.run_wrk(target, str(script), 8, options.seconds)
    left = backlog(target)
    drain_live = wait_drained(target, 600)
    print(f"- live, 8 connections for {options.seconds} s: {result['rps']:.0f} calls/s captured "
          f"(p99 {result['p99']:.2f} ms, non-2xx {result['errors']}); backlog when the load stopped "
          f"{left:.0f} events, delivered {drain_live:.1f} s later")
    target.process.terminate()
    target.process.wait()

    # 2. Drain a large journal.
    added, records = fill(data_dir / "state.sqlite", options.events)
    os.sync()  # the fill does not sync; the server's first checkpoint would pay for it
    target = start(data_dir, target.port)
    seconds = wait_drained(target, 3600)
    s3 = target.client("s3")
    files, stored = 0, 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for obj in page.get("Contents", []):
            files += 1
            stored += obj["Size"]
    target.stop()
    raw = sum(len(r) + 1 for r in records)
    print(f"- drain: {added:,} events added to the journal, delivered in {seconds:.1f} s = "
          f"{added / seconds:,.0f} events/s; {files} files, {stored / len(records):.0f} bytes per event in the "
          f"bucket ({raw / len(records):.0f} uncompressed)")

    # 3. Yardstick: gzip -6 on one core over the same records.
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        handle.write('{"Records":[' + ",".join(records) + "]}")
        path = handle.name
    started = time.monotonic()
    subprocess.run(["gzip", "-6", "-c", path], stdout=subprocess.DEVNULL, check=True)
    gzip_seconds = time.monotonic() - started
    Path(path).unlink()
    rate = len(records) / gzip_seconds
    print(f"- gzip -6, one core, same {len(records):,} records: {gzip_seconds:.1f} s = {rate:,.0f} records/s; "
          f"delivery drain is {added / seconds / rate:.0%} of it")


if __name__ == "__main__":
    sys.exit(main())
