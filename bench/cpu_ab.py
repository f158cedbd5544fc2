#!/usr/bin/env python3
"""CPU time per request of two or more builds, alternating: the server's utime + stime (from
/proc) over a wrk run, divided by the requests answered. Steadier than requests/s on a shared
machine, and without perf's own overhead.

Usage (release builds copied aside, wrk installed):

    python3 bench/cpu_ab.py BINARY[:FLAG...][,BINARY...] describe|create CONNECTIONS ROUNDS [SECONDS] [--threads] [--io] [--syscalls] [--kernel] [--no-capture]

Describe is bench/run.py's (MaxRecords 20 of 100 clusters); create sends CreateCacheCluster with
unique ids. Prints each round's rate and CPU per request, and the median per build. --threads
adds the median CPU per request of each thread name (/proc/PID/task/*/stat: the committer,
the journal indexer, the event loops); --kernel adds the part of the CPU per request spent in
the kernel (the process's system time: sockets, the log's writes, futexes); --io adds each thread name's read and write system
calls per request (/proc/PID/task/*/io: syscr and syscw count every read- and write-like call,
sockets included; no root needed), which names the thread whose disk work a change moved;
--syscalls adds the median count per request of the
system calls that cost a captured call its disk work (perf stat on the syscall tracepoints,
which needs perf and root: fdatasync counts the group commits, so a build that answers faster
and commits smaller groups shows it here); --no-capture runs the servers with
--benchmark-without-capture. Server flags after a colon apply to one build, as in
instructions_ab.py: `B,B:--benchmark-without-capture` alternates a build with itself uncaptured.
"""

import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the shared harness pieces)

TICK = os.sysconf("SC_CLK_TCK")
SYSCALLS = ("fdatasync", "fsync", "pwrite64", "pread64")


def start_syscall_count(pid, output):
    events = ",".join(f"syscalls:sys_enter_{name}" for name in SYSCALLS)
    return subprocess.Popen(["perf", "stat", "-x", ",", "-e", events, "-p", str(pid), "-o", str(output)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_syscall_count(counter, output):
    """Counts per system call name, from perf stat's CSV (value, unit, event, ...)."""
    counter.send_signal(signal.SIGINT)
    counter.wait(timeout=30)
    counts = {}
    for line in output.read_text().splitlines():
        fields = line.split(",")
        if len(fields) > 2 and fields[2].startswith("syscalls:sys_enter_") and fields[0].isdigit():
            counts[fields[2].removeprefix("syscalls:sys_enter_")] = int(fields[0])
    return counts


def cpu_seconds(pid, kernel_only=False):
    """The process's user + system CPU seconds (system only with `kernel_only`)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[12]) + (0 if kernel_only else int(fields[11]))) / TICK


def thread_seconds(pid):
    """Per thread name (threads of one name summed): CPU seconds, and read and write system calls."""
    totals = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            io = dict(line.split(": ") for line in (task / "io").read_text().splitlines())
        except OSError:
            continue
        seconds, reads, writes = totals.get(name, (0, 0, 0))
        totals[name] = (seconds + (int(fields[11]) + int(fields[12])) / TICK, reads + int(io["syscr"]),
                        writes + int(io["syscw"]))
    return totals


def main():
    flags = [arg for arg in sys.argv[1:] if arg.startswith("--")]
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    binaries, workload = args[0].split(","), args[1]
    connections, rounds = int(args[2]), int(args[3])
    seconds = int(args[4]) if len(args) > 4 else 5
    extra = ("--benchmark-without-capture",) if "--no-capture" in flags else ()
    results = {binary: [] for binary in binaries}
    kernel = {binary: [] for binary in binaries}
    threads = {binary: {} for binary in binaries}
    calls = {binary: {} for binary in binaries}
    work = Path(tempfile.mkdtemp())
    for round_index in range(rounds):
        for binary in binaries:
            path, *own = binary.split(":")
            run.BINARY = Path(path)
            target = run.Target("cachetrail", ("--cluster-quota", "1000000", "--node-quota", "1000000", *own) + extra)
            try:
                script = work / "load.lua"
                # Unique create ids, as many a second as bench/run.py signs.
                requests = (run.describe_requests(target) if workload == "describe"
                            else run.create_requests(target, run.CREATES_A_SECOND * seconds, f"r{round_index}"))
                run.lua_script(requests, script)
                counter = (start_syscall_count(target.process.pid, work / "perf.csv")
                           if "--syscalls" in flags else None)
                before, before_threads = cpu_seconds(target.process.pid), thread_seconds(target.process.pid)
                before_kernel = cpu_seconds(target.process.pid, kernel_only=True)
                result = run.run_wrk(target, str(script), connections, seconds)
                used = cpu_seconds(target.process.pid) - before
                requests_done = result["rps"] * seconds
                kernel[binary].append((cpu_seconds(target.process.pid, kernel_only=True) - before_kernel)
                                      / requests_done * 1e6)
                if counter:
                    for name, count in stop_syscall_count(counter, work / "perf.csv").items():
                        calls[binary].setdefault(name, []).append(count / requests_done)
                results[binary].append((result["rps"], used / requests_done * 1e6))
                for name, total in thread_seconds(target.process.pid).items():
                    earlier = before_threads.get(name, (0, 0, 0))
                    per_request = [(now - then) / requests_done for now, then in zip(total, earlier)]
                    threads[binary].setdefault(name, []).append((per_request[0] * 1e6, *per_request[1:]))
            finally:
                target.stop()
    for binary, rows in results.items():
        rounds_text = " ".join(f"{rps:,.0f}/s {us:.0f} µs" for rps, us in rows)
        print(f"{binary} {workload} {connections} connections: {rounds_text}; "
              f"median {statistics.median(us for _, us in rows):.0f} µs per request")
        named = sorted(threads[binary].items(), key=lambda item: -statistics.median(v[0] for v in item[1]))
        if "--kernel" in flags:
            print(f"  of which in the kernel (system time): median {statistics.median(kernel[binary]):.0f} µs per request")
        if "--threads" in flags:
            print("  " + ", ".join(f"{name} {statistics.median(v[0] for v in values):.1f}" for name, values in named
                                   if statistics.median(v[0] for v in values) >= 0.5) + " µs per request (medians)")
        if "--io" in flags:
            print("  " + ", ".join(f"{name} {statistics.median(v[1] for v in values):.2f}/"
                                   f"{statistics.median(v[2] for v in values):.2f}" for name, values in named
                                   if statistics.median(v[1] + v[2] for v in values) >= 0.01)
                  + " read/write system calls per request (medians)")
        if "--syscalls" in flags:
            print("  " + ", ".join(f"{name} {statistics.median(calls[binary].get(name, [0])):.3f}"
                                   for name in SYSCALLS) + " per request (medians)")


if __name__ == "__main__":
    main()
