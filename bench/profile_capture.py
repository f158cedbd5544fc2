#!/usr/bin/env python3
"""CPU profile of CreateCacheCluster at 64 connections, for the capture-cost comparison.

Usage (release build in .build-release, wrk and linux-perf installed):

    python3 bench/profile_capture.py OUT.data [--benchmark-without-capture]

Starts cachetrail, records `perf record -e cpu-clock -F 499 -g` on the server while wrk sends
signed CreateCacheCluster calls for 10 s, prints wrk's figures. Compare two runs with
`perf report -i OUT.data --stdio -n --no-children --sort symbol -g none`; samples per request
(total samples / requests) is the CPU cost, steadier than requests/s on a shared machine.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the shared harness pieces)


def main():
    target = run.Target("cachetrail", ("--cluster-quota", "1000000", "--node-quota", "1000000", *sys.argv[2:]))
    try:
        work = Path(tempfile.mkdtemp())
        script = work / "create.lua"
        # wrk's Lua refuses a script of many more requests (too many constants in one table).
        run.lua_script(run.create_requests(target, 20000, "p"), script)
        perf = subprocess.Popen(
            ["perf", "record", "-e", "cpu-clock", "-F", "499", "-g", "-p", str(target.process.pid), "-o", sys.argv[1]],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        print(run.run_wrk(target, str(script), 64, 10))
        perf.send_signal(2)
        perf.wait()
    finally:
        target.stop()


if __name__ == "__main__":
    main()
