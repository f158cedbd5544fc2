#!/usr/bin/env python3
"""Two builds side by side: DescribeCacheClusters (MaxRecords 20 of 100 clusters) with capture on
and off, for each binary in turn, `--rounds` times, so a change's effect on the captured read is
measured against the same machine's noise.

Usage (release builds copied aside, wrk installed):

    python3 bench/capture_ab.py BEFORE_BINARY AFTER_BINARY [--connections 1,8,64] [--rounds 3] [--seconds 5]

Prints, per binary and connection count, the captured and uncaptured rates of every round and
their ratio (capture on ÷ off).
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the shared harness pieces)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binaries", nargs=2)
    parser.add_argument("--connections", default="1,8,64")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    options = parser.parse_args()
    connections = [int(c) for c in options.connections.split(",")]
    work = Path(tempfile.mkdtemp())
    rates = {}
    for _ in range(options.rounds):
        for binary in options.binaries:
            run.BINARY = Path(binary)
            for capture, flags in (("on", ()), ("off", ("--benchmark-without-capture",))):
                target = run.Target("cachetrail", (*flags, "--cluster-quota", "1000000", "--node-quota", "1000000"))
                try:
                    script = work / "describe.lua"
                    run.lua_script(run.describe_requests(target), script)
                    for c in connections:
                        rates.setdefault((binary, capture, c), []).append(
                            run.run_wrk(target, str(script), c, options.seconds)["rps"])
                finally:
                    target.stop()
    print("| binary | connections | capture on req/s | capture off req/s | on ÷ off |")
    print("|---|---|---|---|---|")
    for c in connections:
        for binary in options.binaries:
            on, off = rates[(binary, "on", c)], rates[(binary, "off", c)]
            print(f"| {binary} | {c} | {' / '.join(f'{v:,.0f}' for v in on)} | {' / '.join(f'{v:,.0f}' for v in off)} "
                  f"| {' / '.join(f'{a / b:.2f}' for a, b in zip(on, off))} |")


if __name__ == "__main__":
    main()
