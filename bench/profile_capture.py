#!/usr/bin/env python3
"""CPU profile of CreateCacheCluster (or DescribeCacheClusters) at 64 connections (or N).

Usage (release build in .build-release, wrk and linux-perf installed):

    python3 bench/profile_capture.py OUT.data [--describe] [--seconds N] [--connections N] [--dwarf] [--benchmark-without-capture]

Starts cachetrail, records `perf record -e cpu-clock -F 499 -g` on the server while wrk sends
signed CreateCacheCluster calls (unique ids) for N seconds (default 6) — or, with `--describe`, DescribeCacheClusters
(MaxRecords 20, 100 clusters) as in bench/run.py — and prints wrk's figures. Compare two runs with
`perf report -i OUT.data --stdio -n --no-children --sort symbol -g none`; samples per request
(total samples / requests) is the CPU cost, steadier than requests/s on a shared machine.
`--dwarf` records DWARF call graphs at 199 Hz instead (`--call-graph dwarf,16384`): frame
pointers lose every stack that passes through SQLite, which is built without them.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the shared harness pieces)


def main():
    arguments = sys.argv[2:]
    describe = "--describe" in arguments
    seconds = 6
    if "--seconds" in arguments:
        at = arguments.index("--seconds")
        seconds = int(arguments[at + 1])
        del arguments[at:at + 2]
    connections = 64
    if "--connections" in arguments:
        at = arguments.index("--connections")
        connections = int(arguments[at + 1])
        del arguments[at:at + 2]
    dwarf = "--dwarf" in arguments
    flags = [flag for flag in arguments if flag not in ("--describe", "--dwarf")]
    target = run.Target("cachetrail", ("--cluster-quota", "1000000", "--node-quota", "1000000", *flags))
    try:
        work = Path(tempfile.mkdtemp())
        script = work / "load.lua"
        requests = run.describe_requests(target) if describe else run.create_requests(target, run.CREATES_A_SECOND * seconds, "p")
        run.lua_script(requests, script)
        perf = subprocess.Popen(
            ["perf", "record", "-e", "cpu-clock", *(("-F", "199", "--call-graph", "dwarf,16384") if dwarf else ("-F", "499", "-g")),
             "-p", str(target.process.pid), "-o", sys.argv[1]],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        print(run.run_wrk(target, str(script), connections, seconds))
        perf.send_signal(2)
        perf.wait()
    finally:
        target.stop()


if __name__ == "__main__":
    main()
