#!/usr/bin/env python3
"""Start-up of one or more builds, alternating: process start → the port accepts a connection,
and → the first signed GetCallerIdentity answers (bench/run.py's start-up figure), each start on
a fresh data directory (a first start: its account, CA and console password are made).

Usage (release builds copied aside):

    python3 bench/startup.py BINARY[,BINARY...] [ROUNDS] [STARTS]

Each round starts every build STARTS times (default 12; the first start of each is not counted:
it pages the binary in), ROUNDS rounds (default 3). Prints each round's medians and the median
of the rounds per build. The port is polled every 2 ms, as run.startup_times does.
"""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import botocore.config
import botocore.exceptions

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the shared harness pieces)

KEY = ("AKIABENCHSTARTUP0001", "benchStartupSecretKey0000000000000000000")


def start_once(binary):
    """(port open, first signed answer) in seconds, for one start of `binary`."""
    port = run.free_port()
    client = boto3.client(
        "sts", endpoint_url=f"http://127.0.0.1:{port}", region_name=run.REGION, aws_access_key_id=KEY[0],
        aws_secret_access_key=KEY[1], config=botocore.config.Config(retries={"max_attempts": 1}, read_timeout=10))
    try:
        client.get_caller_identity()  # nothing listens yet: warms the client's own first-call work
    except botocore.exceptions.EndpointConnectionError:
        pass
    with tempfile.TemporaryDirectory(prefix="bench-start-") as data_dir:
        env = dict(os.environ, CACHETRAIL_ROOT_ACCESS_KEY_ID=KEY[0], CACHETRAIL_ROOT_SECRET_ACCESS_KEY=KEY[1])
        started = time.monotonic()
        process = subprocess.Popen(
            [binary, "serve", "--port", str(port), "--data-dir", data_dir, "--log-level", "error"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() - started > 30:
                        raise
                    time.sleep(0.002)
            listening = time.monotonic() - started
            client.get_caller_identity()
            return listening, time.monotonic() - started
        finally:
            process.terminate()
            process.wait(timeout=10)


def main():
    binaries = sys.argv[1].split(",")
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    starts = int(sys.argv[3]) if len(sys.argv) > 3 else 12
    medians = {binary: [] for binary in binaries}
    for round_index in range(rounds):
        for binary in binaries:
            times = [start_once(binary) for _ in range(starts)][1:]
            listen = statistics.median(t[0] for t in times) * 1000
            answer = statistics.median(t[1] for t in times) * 1000
            medians[binary].append((listen, answer))
            print(f"round {round_index + 1} {binary}: port open {listen:.1f} ms, first signed answer {answer:.1f} ms")
    for binary, rows in medians.items():
        print(f"{binary}: port open {statistics.median(r[0] for r in rows):.1f} ms, "
              f"first signed answer {statistics.median(r[1] for r in rows):.1f} ms (median of {rounds} rounds)")


if __name__ == "__main__":
    main()
