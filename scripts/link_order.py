#!/usr/bin/env python3
"""Writes scripts/link-order.txt: the functions of the release binary that a running server
executes, hottest first. Package.swift hands the file to lld (`--symbol-ordering-file`) for
release links, so that the code a server runs sits together: the kernel maps code 64 KiB around
each page it faults in, and with the executed functions scattered over 33 MB of text that made
two thirds of it resident.

Usage (after a release build; valgrind and the virtualenv's boto3):

    CACHETRAIL_BIN=<release binary> .venv/bin/python scripts/link_order.py [--clusters 400]

Runs the server under `valgrind --tool=callgrind` (which counts every function that executes,
not a sample of them) through a training run of what the benchmarks and a user's session do:
start-up on a fresh data directory, CreateCacheCluster from four clients, DescribeCacheClusters
pages, the health endpoint, a logging trail, S3 PUT and GET (small and multi-MiB, with
`Expect: 100-continue`), a delivery pass of the captured events, LookupEvents, and a clean stop.
A function missing from the list still links; it is only placed after the listed ones. Rerun
after a large change to what the server runs; the file changing is the only effect.

Two kinds of executed code cannot be listed: functions without a symbol (callgrind names them
by address; scripts/unnamed-functions.ld gathers them instead) and code valgrind does not run
(it has no AVX-512, so BoringSSL's AVX-512 AES-GCM and GHASH, which a server on such a CPU runs,
are trained as their AVX2 versions).
"""

import argparse
import collections
import concurrent.futures
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import run  # noqa: E402  (the benchmarks' harness: Target, logging_trail)

OUTPUT = ROOT / "scripts" / "link-order.txt"


def executed_functions(profile, binary):
    """{symbol: instructions} of the functions of `binary` in an uncompressed callgrind profile.
    A cost line after `calls=` is the callee's inclusive cost and is not the caller's own."""
    costs = collections.Counter()
    object_name, function, skip_next = "", None, False
    for line in profile.read_text(errors="replace").splitlines():
        if skip_next:
            skip_next = False
            continue
        if line.startswith("ob="):
            object_name = line[3:]
        elif line.startswith("fn="):
            function = line[3:] if object_name == str(binary) else None
        elif line.startswith("calls="):
            skip_next = True
        elif function and line[:1].isdigit():
            fields = line.split()
            if len(fields) >= 2:
                costs[function] += int(fields[1])
    return costs


def train(target, clusters, work):
    """The training run: every call here is one a benchmark or a user's session makes."""
    bucket = "order-trail"
    run.logging_trail(target, bucket, "order")

    def create(chunk):
        ec = target.client("elasticache")
        for i in chunk:
            ec.create_cache_cluster(CacheClusterId=f"m-{i:06d}", Engine="memcached", CacheNodeType="cache.t3.micro")

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(create, [range(i, clusters, 4) for i in range(4)]))
    ec = target.client("elasticache")
    for _ in range(50):
        ec.describe_cache_clusters(MaxRecords=20)
    ec.describe_cache_clusters(CacheClusterId="m-000001", ShowCacheNodeInfo=True)
    for _ in range(50):
        urllib.request.urlopen(f"{target.endpoint}/_cachetrail/health", timeout=60).read()
    s3 = target.client("s3")
    big = work / "big.bin"
    big.write_bytes(os.urandom(8 << 20))
    for i in range(20):
        s3.put_object(Bucket=bucket, Key=f"small-{i}", Body=os.urandom(1024))
        s3.get_object(Bucket=bucket, Key=f"small-{i}")["Body"].read()
    s3.upload_file(str(big), bucket, "big")
    s3.get_object(Bucket=bucket, Key="big")["Body"].read()
    target.advance_clock(600)
    target.client("cloudtrail").lookup_events(MaxResults=50)
    s3.list_objects_v2(Bucket=bucket, Prefix="AWSLogs/")


def main():
    work = Path(tempfile.mkdtemp(prefix="link-order-"))
    try:
        write_order(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_order(work):
    """Profiles the training run in `work` and writes OUTPUT."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clusters", type=int, default=400)
    options = parser.parse_args()
    binary = Path(os.environ["CACHETRAIL_BIN"]).resolve()
    profile = work / "callgrind.out"
    wrapper = work / "cachetrail-under-callgrind"
    # valgrind 3.19 cannot read the DWARF 5 the toolchain writes; the symbols are all it needs.
    symbols_only = work / "cachetrail"
    subprocess.run(["strip", "--strip-debug", "-o", str(symbols_only), str(binary)], check=True)
    wrapper.write_text(
        "#!/bin/sh\nexec valgrind --tool=callgrind --demangle=no --compress-strings=no --compress-pos=no "
        f"--callgrind-out-file={profile} {symbols_only} \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    run.BINARY = wrapper
    target = run.Target("cachetrail", ("--clock", "manual", "--cluster-quota", "1000000", "--node-quota", "1000000"))
    try:
        train(target, options.clusters, work)
    finally:
        # A clean stop (SIGTERM, then the graceful shutdown) is what writes the profile; under
        # callgrind it takes seconds, more than Target.stop waits.
        target.process.send_signal(signal.SIGTERM)
        target.process.wait(timeout=600)
        shutil.rmtree(target.dir, ignore_errors=True)
    costs = executed_functions(profile, symbols_only)
    sizes = {}
    for line in subprocess.run(["nm", "-S", "--defined-only", str(binary)], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[2] in "tTwW":
            sizes[fields[3]] = int(fields[1], 16)
    ordered = [name for name, _ in costs.most_common() if name in sizes]
    OUTPUT.write_text("".join(f"{name}\n" for name in ordered))
    total = sum(sizes.values())
    print(f"{len(ordered):,} functions executed, {sum(sizes[n] for n in ordered) / 1e6:.1f} MB of "
          f"{total / 1e6:.1f} MB of functions; written to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
