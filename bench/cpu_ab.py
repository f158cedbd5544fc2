#!/usr/bin/env python3
"""CPU time per request of two or more builds, alternating: the server's utime + stime (from
/proc) over a wrk run, divided by the requests answered. Steadier than requests/s on a shared
machine, and without perf's own overhead.

Usage (release builds copied aside, wrk installed):

    python3 bench/cpu_ab.py BINARY[,BINARY...] describe|create CONNECTIONS ROUNDS [SECONDS]

Describe is bench/run.py's (MaxRecords 20 of 100 clusters); create sends CreateCacheCluster with
unique ids. Prints each round's rate and CPU per request, and the median per build.
"""

import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the shared harness pieces)

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def main():
    binaries, workload = sys.argv[1].split(","), sys.argv[2]
    connections, rounds = int(sys.argv[3]), int(sys.argv[4])
    seconds = int(sys.argv[5]) if len(sys.argv) > 5 else 5
    results = {binary: [] for binary in binaries}
    work = Path(tempfile.mkdtemp())
    for round_index in range(rounds):
        for binary in binaries:
            run.BINARY = Path(binary)
            target = run.Target("cachetrail", ("--cluster-quota", "1000000", "--node-quota", "1000000"))
            try:
                script = work / "load.lua"
                requests = (run.describe_requests(target) if workload == "describe"
                            else run.create_requests(target, 10000 * seconds, f"r{round_index}"))
                run.lua_script(requests, script)
                before = cpu_seconds(target.process.pid)
                result = run.run_wrk(target, str(script), connections, seconds)
                used = cpu_seconds(target.process.pid) - before
                results[binary].append((result["rps"], used / (result["rps"] * seconds) * 1e6))
            finally:
                target.stop()
    for binary, rows in results.items():
        rounds_text = " ".join(f"{rps:,.0f}/s {us:.0f} µs" for rps, us in rows)
        print(f"{binary} {workload} {connections} connections: {rounds_text}; "
              f"median {statistics.median(us for _, us in rows):.0f} µs per request")


if __name__ == "__main__":
    main()
