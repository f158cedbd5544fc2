#!/usr/bin/env python3
"""Head-of-line: does heavy work hold other calls up?

Usage (release build in .build-release, wrk installed):

    python3 bench/headofline.py [--events 100000] [--seconds 10] [--load puts,delivery] [--connections 1]

Starts cachetrail (manual clock, address-only nodes, log files not cut by size) with 100
clusters and a logging trail, fills the journal with about `--events` DescribeCacheClusters
events (undelivered), then measures a DescribeCacheClusters loop (MaxRecords 20; one
connection unless `--connections`) twice with wrk: idle, and while three 64 MiB
PutObject calls run and a delivery pass writes the `--events` events as log files (one
POST /_cachetrail/clock, which returns once the pass has delivered everything). Prints both
p99s, their ratio, and how long the PUTs and the delivery took. With `--connections 64` the
loop saturates both cores, and the durations say how much of the machine heavy work still gets.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the shared harness pieces)


def fill(target, script_path, events):
    """Sends DescribeCacheClusters at 8 connections until about `events` have been answered:
    a short run finds the rate, a second one runs for the rest."""
    probe = run.run_wrk(target, str(script_path), 8, 3)
    left = max(0, events - probe["rps"] * 3)
    if left:
        run.run_wrk(target, str(script_path), 8, max(1, round(left / probe["rps"])))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=1,
                        help="the Describe loop's connections (64 saturates the cores: how long the heavy work then takes)")
    parser.add_argument("--load", default="puts,delivery", help="what runs beside the loop: puts, delivery or both")
    options = parser.parse_args()
    # Nothing is delivered while the journal fills: the manual clock does not move and files are
    # not cut by size, so the one advance later delivers every event in one pass.
    target = run.Target("cachetrail", ("--clock", "manual", "--delivery-max-file-bytes", str(1 << 40)))
    work = Path(tempfile.mkdtemp(prefix="bench-hol-"))
    try:
        s3 = target.client("s3")
        bucket = "hol-trail"
        run.logging_trail(target, bucket, "hol")
        script = work / "describe.lua"
        run.lua_script(run.describe_requests(target), script)
        started = time.monotonic()
        fill(target, script, options.events)
        print(f"- journal filled with about {options.events:,} DescribeCacheClusters events in "
              f"{time.monotonic() - started:.0f} s")
        idle = run.run_wrk(target, str(script), options.connections, options.seconds)

        big = os.urandom(64 * 1024 * 1024)
        timings = {}

        def put(index):
            start = time.monotonic()
            target.client("s3").put_object(Bucket=bucket, Key=f"big-{index}", Body=big)
            timings[f"PUT 64 MiB #{index + 1}"] = time.monotonic() - start

        def deliver():
            start = time.monotonic()
            target.advance_clock(600)
            timings["delivery pass"] = time.monotonic() - start

        result = {}
        loop = threading.Thread(target=lambda: result.update(run.run_wrk(target, str(script), options.connections, options.seconds)))
        loop.start()
        time.sleep(1)
        load = options.load.split(",")
        workers = ([threading.Thread(target=put, args=(i,)) for i in range(3)] if "puts" in load else []) + (
            [threading.Thread(target=deliver)] if "delivery" in load else [])
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        loop.join()
        files = sum(len(page.get("Contents", [])) for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix="AWSLogs/"))
        print(f"- idle: {idle['rps']:.0f} req/s, p50 {idle['p50']:.2f} ms, p99 {idle['p99']:.2f} ms, "
              f"steal {idle['steal']:.1f} %")
        print(f"- loaded: {result['rps']:.0f} req/s, p50 {result['p50']:.2f} ms, p99 {result['p99']:.2f} ms "
              f"(non-2xx {result['errors']}), steal {result['steal']:.1f} %")
        print(f"- p99 loaded ÷ idle: {result['p99'] / idle['p99']:.2f}")
        for name, seconds in sorted(timings.items()):
            print(f"- {name}: {seconds:.2f} s")
        print(f"- log files in the bucket after the pass: {files}")
    finally:
        target.stop()


if __name__ == "__main__":
    main()
