#!/usr/bin/env python3
"""S3 throughput of two or more builds, alternating: bench/run.py's S3 figures (1 KB PUT and GET
through wrk at 8 connections, 64 MiB PUT and GET through one boto3 client, medians of 3).

Usage (release builds copied aside, wrk installed):

    python3 bench/s3_ab.py BINARY[,BINARY...] ROUNDS [SECONDS]

Prints each round's figures per build and the median per build.
"""

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the shared harness pieces)

FIGURES = ["PUT 1 KB", "GET 1 KB", "PUT 64 MB", "GET 64 MB"]


def rate(value):
    """objects/s for the wrk figures, MB/s for the boto3 ones."""
    return value["rps"] if isinstance(value, dict) else value


def main():
    binaries, rounds = sys.argv[1].split(","), int(sys.argv[2])
    seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    results = {binary: {name: [] for name in FIGURES} for binary in binaries}
    for _ in range(rounds):
        for binary in binaries:
            run.BINARY = Path(binary)
            target = run.Target("cachetrail")
            try:
                figures = run.s3_throughput(target, Path(tempfile.mkdtemp()), seconds)
            finally:
                target.stop()
            line = ", ".join(f"{name} {rate(figures[name]):,.0f}" for name in FIGURES)
            print(f"{binary}: {line}", flush=True)
            for name in FIGURES:
                results[binary][name].append(rate(figures[name]))
    for binary in binaries:
        line = ", ".join(f"{name} {statistics.median(results[binary][name]):,.0f}" for name in FIGURES)
        print(f"{binary} medians (objects/s for 1 KB, MB/s for 64 MB): {line}")


if __name__ == "__main__":
    main()
