#!/usr/bin/env python3
"""Instructions per request of two or more builds, counted by valgrind's callgrind: steadier
than CPU time on a shared machine (there, cpu_ab's CPU time per request moved by a fifth
between rounds, with a quarter of the CPU stolen by the hypervisor; two callgrind runs of one
build differed by up to ~2 %).

Usage (release builds copied aside, wrk and valgrind installed):

    python3 bench/instructions_ab.py BINARY[:FLAG...][,BINARY...] describe|create|health CONNECTIONS [SECONDS]

`health` counts `GET /_cachetrail/health` (no signature, no state, no event): the HTTP
stack's own share of a request, to subtract from a Describe's. A binary may carry server flags
after colons (`/tmp/a/cachetrail:--benchmark-without-capture` counts the same build with
capture off).

Each build (a copy without debug information) runs under `valgrind --tool=callgrind
--instr-atstart=no`: start-up and the set-up calls (bench/run.py's 100 clusters for describe,
one create before creates) run uninstrumented; instrumentation is turned on for a wrk run of
SECONDS (default 20; callgrind runs the server ~50x slower) and the instructions every thread
executed, background threads included, are divided by the responses wrk counted. Work on
timers (the journal indexer, checkpoints) is spread over however many requests the run
answered, so a machine busy with something else (fewer requests) raises every build's count:
compare builds run under the same load, and read ratios.

Prints instructions per request per build; those outside libc's memcpy, memmove and memset
(valgrind counts every byte a `rep movsb` copies as an instruction) and their ratio to the
first build's; those outside the checkpointer's thread (its share swings from run to run) and
their ratio; and the callgrind file (`callgrind_annotate --inclusive=yes FILE` names where
they went; frames of async functions are misattributed, self costs are exact).
"""

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the shared harness pieces)


def instructions_per_request(spec, workload, connections, seconds, work):
    binary, *flags = spec.split(":")
    out = work / f"callgrind.{len(list(work.iterdir()))}.out"
    # Valgrind 3.19 cannot read the DWARF 5 debug information Swift's toolchain writes; a copy
    # without it keeps the symbol table.
    stripped = work / "cachetrail"
    subprocess.run(["objcopy", "--strip-debug", binary, stripped], check=True)
    wrapper = work / "under-callgrind"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"exec valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file={out} {stripped} \"$@\"\n")
    wrapper.chmod(0o755)
    run.BINARY = wrapper
    target = run.Target("cachetrail", ("--cluster-quota", "1000000", "--node-quota", "1000000", *flags))
    try:
        load = ["-s", str(work / "load.lua")]
        if workload == "health":
            load, url = [], target.endpoint + "/_cachetrail/health"
        else:
            if workload == "create":
                # One create before counting: the service's model tables are decoded on its first
                # call (~37M instructions, once), which would otherwise be charged to the run.
                target.client("elasticache").create_cache_cluster(
                    CacheClusterId="warm-up", Engine="memcached", CacheNodeType="cache.t3.micro")
            requests = (run.describe_requests(target) if workload == "describe"
                        else run.create_requests(target, 2000 * seconds, "i"))
            run.lua_script(requests, work / "load.lua")
            url = target.endpoint
        pid = str(target.process.pid)
        subprocess.run(["callgrind_control", "--instr=on", pid], check=True, capture_output=True)
        text = subprocess.run(
            ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", *load, url],
            capture_output=True, text=True, timeout=seconds + 120).stdout
        answered = int(re.search(r"(\d+) requests in", text).group(1))
        subprocess.run(["callgrind_control", "--instr=off", pid], check=True, capture_output=True)
    finally:
        target.stop()
    deadline = time.monotonic() + 60
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    totals = int(re.search(r"^totals:\s+(\d+)", out.read_text(), re.MULTILINE).group(1))
    # One inclusive listing serves both figures shown apart. Valgrind counts each byte a `rep
    # movsb` moves as an instruction: libc's copies (leaves, so inclusive is their own count)
    # weigh their bytes, not their time. The checkpointer's thread (its OwnThreads.serve
    # closure) copies the log as it grows: under callgrind that work swung between ~45k and
    # ~125k a create from one run of a build to the next.
    listing = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(out)],
                             capture_output=True, text=True, check=True).stdout
    counted = [(int(line.split()[0].replace(",", "")), line) for line in listing.splitlines()
               if line.strip() and line.split()[0][0].isdigit()]
    copies = sum(count for count, line in counted if re.search(r"__mem(cpy|move|set)_\w+_erms", line))
    checkpointer = next((count for count, line in counted if "OwnThreads" in line and "Checkpointer" in line), 0)
    return totals / answered, copies / answered, checkpointer / answered, answered, out


def main():
    binaries, workload = sys.argv[1].split(","), sys.argv[2]
    connections = int(sys.argv[3])
    seconds = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    work = Path(tempfile.mkdtemp())
    first = first_calls = None
    for binary in binaries:
        per_request, copies, checkpointer, answered, out = instructions_per_request(
            binary, workload, connections, seconds, work)
        rest = per_request - copies
        calls = per_request - checkpointer
        first = first or rest
        first_calls = first_calls or calls
        print(f"{binary} {workload} {connections} connections: {per_request:,.0f} instructions per request, "
              f"{rest:,.0f} outside libc's memcpy/memmove/memset ({rest / first:.3f}× the first), "
              f"{calls:,.0f} outside the checkpointer's thread ({calls / first_calls:.3f}×); {answered} requests; "
              f"`callgrind_annotate {out}`")


if __name__ == "__main__":
    main()
