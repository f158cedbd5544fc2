#!/usr/bin/env python3
"""Start-up of one or more builds, alternating: process start → the port accepts a connection,
and → the first signed GetCallerIdentity answers (bench/run.py's start-up figure), each start on
a fresh data directory (a first start: its account, CA and console password are made).

Usage (release builds copied aside):

    python3 bench/startup.py BINARY[,BINARY...] [ROUNDS] [STARTS]

Each round starts every build STARTS times (default 12; the first start of each is not counted:
it pages the binary in), ROUNDS rounds (default 3). Prints each round's medians and the median
of the rounds per build. The port is polled every 2 ms (`run.start_once`).
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the shared harness pieces)


def main():
    binaries = sys.argv[1].split(",")
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    starts = int(sys.argv[3]) if len(sys.argv) > 3 else 12
    medians = {binary: [] for binary in binaries}
    for round_index in range(rounds):
        for binary in binaries:
            run.BINARY = Path(binary)
            times = [run.start_once("cachetrail") for _ in range(starts)][1:]
            listen = statistics.median(t[0] for t in times) * 1000
            answer = statistics.median(t[1] for t in times) * 1000
            medians[binary].append((listen, answer))
            print(f"round {round_index + 1} {binary}: port open {listen:.1f} ms, first signed answer {answer:.1f} ms")
    for binary, rows in medians.items():
        print(f"{binary}: port open {statistics.median(r[0] for r in rows):.1f} ms, "
              f"first signed answer {statistics.median(r[1] for r in rows):.1f} ms (median of {rounds} rounds)")


if __name__ == "__main__":
    main()
