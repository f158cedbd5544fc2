#!/usr/bin/env python3
"""LookupEvents latency with a large journal.

Usage (release build in .build-release, wrk installed):

    python3 bench/lookup.py --events 1000000 [--seconds 5]

Starts cachetrail once to create its data dir, stops it, appends N synthetic management
events straight into the journal table (spread over 90 days, 200 event names, 1,000 users,
5 sources, 10,000 resources; every third read-only, or all but every `--writes-every`; with
`--data-events-every N`, only every Nth is a management event, the others S3 GetObject data
events of ~1.3 KB, as a trail with data event selectors journals them), restarts
it, waits for its journal index to take them in (printing how long that took; lookups before
then walk the unindexed tail), then replays signed LookupEvents calls for each lookup
attribute with wrk (1 connection) and prints requests/s, p50 and p99.

With `--during-creates C`, each lookup runs while wrk sends CreateCacheCluster at C connections
(new cluster ids each), so the journal grows while it is searched: a lookup by an attribute
walks the events the journal index has not taken in yet (the unindexed tail), which a write
burst lengthens. The creates' own rate is printed beside each lookup's.
"""

import argparse
import concurrent.futures
import os
import json
import random
import sqlite3
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the shared harness pieces)

import botocore.auth  # noqa: E402
import botocore.awsrequest  # noqa: E402
import botocore.credentials  # noqa: E402


def version7(t, rng):
    """An event id as the server makes them: a UUID of version 7 (milliseconds of `t`, then
    random bits), so the index takes them in the order the server's would arrive."""
    bits = int(t * 1000) << 80 | 0x7 << 76 | rng.getrandbits(12) << 64 | 0b10 << 62 | rng.getrandbits(62)
    return str(uuid.UUID(int=bits))


def read_only(i, writes_every):
    """Whether the `i`th filled event is read-only: every third, or all but every `writes_every`th."""
    return i % 3 == 0 if writes_every is None else i % writes_every != 0


def data_record(event_id, t, user, arn, i):
    """A GetObject record of about the size S3's data events have (~1.3 KB)."""
    bucket, key = arn.removeprefix("arn:aws:s3:::").split("/", 1)
    return {
        "eventVersion": "1.11",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDA" + "X" * 17, "accountId": "000000000000",
                         "arn": f"arn:aws:iam::000000000000:user/{user}", "accessKeyId": f"AKIA{i % 7:016d}",
                         "userName": user},
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)), "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject", "awsRegion": "us-east-1", "sourceIPAddress": "127.0.0.1",
        "userAgent": "[aws-cli/2.15.0 md/Botocore#1.33.0 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.6]",
        "requestParameters": {"bucketName": bucket, "Host": f"{bucket}.s3.amazonaws.com", "key": key},
        "responseElements": None,
        "additionalEventData": {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                                "bytesTransferredIn": 0, "AuthenticationMethod": "AuthHeader",
                                "x-amz-id-2": "A" * 76, "bytesTransferredOut": 1024},
        "requestID": event_id[:16].upper(), "eventID": event_id, "readOnly": True,
        "resources": [{"type": "AWS::S3::Object", "ARN": arn},
                      {"accountId": "000000000000", "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}],
        "eventType": "AwsApiCall", "managementEvent": False, "recipientAccountId": "000000000000",
        "eventCategory": "Data",
    }


def fill(path, count, now, writes_every=None, data_every=None):
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    # Index pages stay in memory (4 GiB) instead of being spilled to the WAL again and again.
    db.execute("PRAGMA cache_size=-4000000")
    # The server's own first events (its start-up's) predate the filled history, as in a journal
    # that grew over those 90 days: event times follow positions. (Left at today's time, they
    # would put "now" before every filled event, and a lookup's StartTime could not skip any of
    # the journal's blocks: ``JournalIndex`` keeps each block's running maximum time.) The index
    # the server made of them goes too: it holds their times as they were.
    db.execute("UPDATE events SET event_time = ?", (now - 90 * 86400 - 1,))
    for index_file in Path(path).parent.glob("journal-index.sqlite*"):
        index_file.unlink()
    rng = random.Random(1)
    sources = ["elasticache.amazonaws.com", "iam.amazonaws.com", "s3.amazonaws.com", "sts.amazonaws.com",
               "cloudtrail.amazonaws.com"]
    batch = []
    start = time.monotonic()
    for i in range(count):
        t = now - (count - i) * (90 * 86400 / count)
        name = f"Operation{rng.randrange(200)}"
        user = f"user-{rng.randrange(1000)}"
        resource = f"cluster-{rng.randrange(10000)}"
        event_id = version7(t, rng)
        if data_every is not None and i % data_every != 0:
            # An S3 data event: journaled for the trail's selectors, never a LookupEvents answer.
            arn = f"arn:aws:s3:::bucket-{i % 10}/object-{i}"
            record = json.dumps(data_record(event_id, t, user, arn, i))
            batch.append((event_id, "000000000000", "us-east-1", t, "GetObject", "s3.amazonaws.com", True, user,
                           f"AKIA{i % 7:016d}", record, 0, arn, "AWS::S3::Object", arn))
        else:
            record = json.dumps({"eventVersion": "1.11", "eventID": event_id, "eventName": name,
                                 "requestID": event_id})
            batch.append((event_id, "000000000000", "us-east-1", t, name, sources[i % 5], read_only(i, writes_every),
                           user, f"AKIA{i % 7:016d}", record, 1, None, "AWS::ElastiCache::CacheCluster", resource))
        if len(batch) == 50000:
            db.executemany("INSERT INTO events (event_id, account, region, event_time, event_name, event_source, read_only, "
                           "username, access_key_id, record, management, resource_arn, resource_type, resource_name) "
                           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch)
            batch = []
    if batch:
        db.executemany("INSERT INTO events (event_id, account, region, event_time, event_name, event_source, read_only, "
                       "username, access_key_id, record, management, resource_arn, resource_type, resource_name) "
                       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch)
    db.commit()
    db.close()
    return time.monotonic() - start


def wait_for_index(data_dir, count):
    """Returns once the server's journal index has reached the journal's newest event (at once
    for a build that keeps no journal index file, for A/B runs against older builds)."""
    if not (data_dir / "journal-index.sqlite").exists():
        return
    while True:
        state = sqlite3.connect(f"file:{data_dir / 'state.sqlite'}?mode=ro", uri=True)
        newest = state.execute("SELECT MAX(seq) FROM events").fetchone()[0] or 0
        state.close()
        index = sqlite3.connect(f"file:{data_dir / 'journal-index.sqlite'}?mode=ro", uri=True)
        done = index.execute("SELECT seq FROM progress").fetchone()[0]
        index.close()
        if done >= newest >= count:
            return
        time.sleep(0.5)


def lookup(target, attribute=None, window=None):
    body = {"MaxResults": 50}
    if attribute:
        body["LookupAttributes"] = [{"AttributeKey": attribute[0], "AttributeValue": attribute[1]}]
    if window:
        start, end = window
        if start is not None:
            body["StartTime"] = start
        if end is not None:
            body["EndTime"] = end
    text = json.dumps(body)
    request = botocore.awsrequest.AWSRequest(
        method="POST", url=target.endpoint + "/", data=text,
        headers={"Content-Type": "application/x-amz-json-1.1",
                 "X-Amz-Target": "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(*target.key), "cloudtrail", run.REGION).add_auth(request)
    headers = dict(request.headers.items())
    headers["Host"] = f"127.0.0.1:{target.port}"
    return ("POST", "/", headers, text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=5)
    # A journal of polling reads with few writes between them: the ReadOnly lookup asks for
    # the writes (ReadOnly=false), and one that walked the journal read every read between them.
    # (ReadOnly=true would find the lookups' own events, read-only calls, after the first few.)
    parser.add_argument("--writes-every", type=int, default=None, metavar="N",
                        help="fill read-only events with every Nth a write, and look up ReadOnly=false")
    parser.add_argument("--during-creates", type=int, default=0, metavar="CONNECTIONS",
                        help="run each lookup during a load of creates at this many connections")
    parser.add_argument("--data-events-every", type=int, default=None, metavar="N",
                        help="fill S3 data events with every Nth a management event")
    options = parser.parse_args()
    target = run.Target("cachetrail")
    data_dir = target.dir
    target.process.terminate()
    target.process.wait()
    filled_until = time.time()
    seconds = fill(data_dir / "state.sqlite", options.events, filled_until, options.writes_every,
                   options.data_events_every)
    print(f"- appended {options.events:,} events in {seconds:.0f} s")
    # The fill does not sync (synchronous=OFF); without this, the server's first checkpoint
    # would pay for writing the whole filled file to disk.
    started = time.monotonic()
    os.sync()
    print(f"- synced the filled file to disk in {time.monotonic() - started:.1f} s")
    # The creates of `--during-creates` go past the default quotas (300 clusters, as AWS's).
    quotas = ("--cluster-quota", "10000000", "--node-quota", "10000000")
    restarted = run.Target("cachetrail", quotas if options.during_creates else (), data_dir=data_dir)
    try:
        started = time.monotonic()
        wait_for_index(Path(data_dir), options.events)
        print(f"- the journal index took them in {time.monotonic() - started:.0f} s after the restart")
        # Like the fill: the index is not fsynced as it grows, and the kernel's writeback of its
        # pages would otherwise stall the first lookups' reads (p99 ~100 ms at 10M, every attribute).
        started = time.monotonic()
        os.sync()
        print(f"- synced the index to disk in {time.monotonic() - started:.1f} s")
        index_bytes = sum(path.stat().st_size for path in Path(data_dir).glob("journal-index.sqlite*"))
        print(f"- the index's files: {index_bytes / 2**20:,.0f} MiB")
        work = Path(data_dir) / "lookup.lua"
        # Steal: CPU time the hypervisor took from this VM during the run. On a shared host a
        # descheduled vCPU stalls a lookup for tens of ms: the p99 is the host's then, not ours.
        creating = options.during_creates
        print(f"| attribute (events: {options.events:,}) | requests/s | p50 ms | p99 ms | non-2xx | steal % |"
              + (f" creates/s at {creating} |" if creating else ""))
        print("|---|---|---|---|---|---|" + ("---|" if creating else ""))
        # The no-attribute lookup runs first (right after the restart) and once more last.
        read_only_value = "true" if options.writes_every is None else "false"
        cases = [("(none)", None), ("EventName", "Operation7"), ("Username", "user-42"), ("ReadOnly", read_only_value),
                 ("EventSource", "iam.amazonaws.com"), ("AccessKeyId", "AKIA0000000000000003"),
                 ("ResourceType", "AWS::ElastiCache::CacheCluster"), ("ResourceName", "cluster-77"),
                 ("EventId", "00000000-0000-0000-0000-000000000000"), ("(none), again", None)]
        if creating:
            # What a burst of creates changes: the tail they make matches EventName
            # CreateCacheCluster; ResourceName and ReadOnly match none of it, so it is walked whole.
            cases = [("(none)", None), ("EventName", "CreateCacheCluster"), ("ReadOnly", "true"),
                     ("ResourceName", "cluster-77"), ("Username", "user-42")]
        # Time windows (the fill spans the last 90 days, ~11,000 events a day at 1M): fewer than a
        # page of events in the window, or a window behind most of the journal.
        now = time.time()
        day = 86_400
        windows = [] if creating else [
            ("(none), the last 5 minutes", None, (now - 300, None)),
            # Without an end, a lookup without attributes finds the bench's own lookups (management
            # events) after its first few; this one must find the filled events, past whatever
            # data events lie between them.
            ("(none), up to the fill's end", None, (None, filled_until)),
            ("(none), an hour 45 days ago", None, (now - 45 * day - 3600, now - 45 * day)),
            ("EventName Operation7, a day 45 days ago", ("EventName", "Operation7"), (now - 46 * day, now - 45 * day)),
            ("Username user-42, the last hour", ("Username", "user-42"), (now - 3600, None)),
        ]
        cases = [(label, (label, value) if value is not None else None, None) for label, value in cases]
        cases[-1:-1] = windows
        for number, (label, attribute, window) in enumerate(cases):
            run.lua_script([lookup(restarted, attribute, window)], work)
            if not creating:
                result = run.run_wrk(restarted, str(work), 1, options.seconds)
                print(f"| {label} | {result['rps']:.0f} | {result['p50']:.2f} | {result['p99']:.2f} | "
                      f"{result['errors']} | {result['steal']:.1f} |")
                continue
            load = Path(data_dir) / "creates.lua"
            # More ids than the load can send (~12,000 creates/s here at 64 connections), none reused.
            run.lua_script(run.create_requests(restarted, 15_000 * (options.seconds + 2), f"l{number}"), load)
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                creates = pool.submit(run.run_wrk, restarted, str(load), creating, options.seconds + 2)
                time.sleep(1)  # the lookups start once the creates are running
                result = run.run_wrk(restarted, str(work), 1, options.seconds)
                burst = creates.result()
            print(f"| {label} | {result['rps']:.0f} | {result['p50']:.2f} | {result['p99']:.2f} | "
                  f"{result['errors']} | {result['steal']:.1f} | {burst['rps']:.0f} ({burst['errors']} non-2xx) |")
    finally:
        restarted.stop()


if __name__ == "__main__":
    sys.exit(main())
