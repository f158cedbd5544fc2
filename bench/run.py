#!/usr/bin/env python3
"""cachetrail benchmarks, side by side with moto's server in the same run.

Usage (after `swift build -c release --static-swift-stdlib --product cachetrail --scratch-path .build-release`,
with wrk and moto[server] installed):

    python3 bench/run.py [--seconds 5] [--runs 3] [--connections 1,8,64] [--skip-memory]

Runs each workload against cachetrail and moto alternately, `--runs` times, and prints
Markdown tables with the median and the spread (min–max) of the runs.
Every load is bounded (wrk -d SECONDS, fixed request counts) and targets 127.0.0.1 only.
"""

import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials

ROOT = Path(__file__).resolve().parent.parent
BINARY = Path(os.environ.get("CACHETRAIL_BIN", ROOT / ".build-release" / "release" / "cachetrail"))
REGION = "us-east-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url, timeout=60):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return time.monotonic() - start
        except urllib.error.HTTPError as error:
            # cachetrail's health answers 503 `starting` until its start-up lines are out.
            if error.code != 503:
                return time.monotonic() - start
            time.sleep(0.01)
        except OSError:
            time.sleep(0.01)
    raise RuntimeError(f"{url} not ready")


class Target:
    def __init__(self, kind, args=(), data_dir=None, port=None, nodes="none"):
        """Starts `kind` on a free port (or `port`); cachetrail on a fresh data dir, or on `data_dir`,
        with address-only cache nodes unless `nodes` is "real"."""
        self.kind = kind
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.dir = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
        if kind == "moto":
            self.process = subprocess.Popen(
                [shutil.which("moto_server") or "moto_server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.key = ("testing", "testing")
            ready_url = f"{self.endpoint}/moto-api/"
        else:
            self.process = subprocess.Popen(
                # Address-only nodes by default: the rate benchmarks measure the control plane, not
                # cache processes (bench/nodes.py measures those).
                [str(BINARY), "serve", "--port", str(self.port), "--data-dir", str(self.dir), "--lifecycle-seconds", "0",
                 "--nodes", nodes, "--log-level", "error", *args],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            ready_url = f"{self.endpoint}/_cachetrail/health"
        wait_ready(ready_url)
        if kind != "moto":
            text = (self.dir / "credentials").read_text()
            self.key = tuple(re.findall(r"= (\S+)", text)[:2])
        self.client("sts").get_caller_identity()

    def client(self, service):
        return boto3.client(
            service, endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id=self.key[0],
            aws_secret_access_key=self.key[1], config=botocore.config.Config(retries={"max_attempts": 1}))

    def advance_clock(self, seconds):
        """Moves a `--clock manual` server's clock; returns once the delivery pass it starts is done."""
        request = urllib.request.Request(
            f"{self.endpoint}/_cachetrail/clock", data=json.dumps({"advanceSeconds": seconds}).encode(),
            headers={"content-type": "application/json"}, method="POST")
        urllib.request.urlopen(request, timeout=600).read()

    def rss_mib(self):
        """Resident memory in MiB: total (VmRSS), anonymous (the heap: RssAnon) and file-backed
        (code and data pages of the executable and libraries, shared with the page cache: RssFile)."""
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssAnon", "RssFile"):
                fields[name] = int(value.split()[0]) / 1024
        return fields

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def signed_query(target, service, params, payload_hash=None):
    """A SigV4-signed Query request as (method, path, headers, body)."""
    body = "&".join(f"{k}={urllib.parse.quote(str(v), safe='')}" for k, v in params.items())
    request = botocore.awsrequest.AWSRequest(
        method="POST", url=target.endpoint + "/", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(*target.key), service, REGION).add_auth(request)
    headers = {k: v for k, v in request.headers.items()}
    headers["Host"] = f"127.0.0.1:{target.port}"  # what the signature covered; wrk alone drops the port
    return ("POST", "/", headers, body)


def lua_script(requests, path):
    """A wrk script that sends `requests` round robin."""
    def quote(text):
        return json.dumps(text)
    # Filled by functions of at most 2,000 requests each: Lua limits the constants of one
    # function (or table constructor), and a request carries about ten.
    lines = ["local requests = {}"]
    for start in range(0, len(requests), 2000):
        lines.append("do local function fill(r)")
        for method, url_path, headers, body in requests[start:start + 2000]:
            header_table = ", ".join(f"[{quote(k)}] = {quote(v)}" for k, v in headers.items())
            lines.append(f"  r[#r + 1] = wrk.format({quote(method)}, {quote(url_path)}, {{{header_table}}}, {quote(body)})")
        lines.append("end fill(requests) end")
    # The wrk threads take turns through the requests (thread k of n sends k, k + n, k + 2n, …),
    # so unique requests (CreateCacheCluster ids) stay unique however unevenly the threads run
    # (before the gate below, one thread sent 96,647 creates to the other's 23,992: it had
    # started ~11 s earlier). Each thread's number is set before it starts (wrk starts a thread
    # right after its setup); the count of threads comes as the script's first argument
    # (`run_wrk` passes it; none: one thread).
    # The first refused answer of each thread is printed at the end: a count alone does not say
    # whether the server failed or the workload asked for something it may refuse.
    # The threads start together. wrk starts each thread as soon as its own copy of the script
    # is loaded, while the next copy loads, and counts the run's time from after the last one:
    # with 250,000 creates a copy took ~11 s to load, so the first thread sent for ~16 s and
    # Requests/sec divided all of it by 5 (98,047 creates answered over 16 s of server load
    # reported as 19,522/s). So a thread's first request waits (sleeping 1 ms at a time) until
    # the last thread's init has created the gate file (the script's second argument), just
    # before wrk takes its start time. wrk's check of the script, its first call of the first
    # thread's request() on the main thread before any thread starts, must not wait.
    lines += ["local ffi = require(\"ffi\")", "ffi.cdef[[int usleep(unsigned int usec);]]",
              "local threads_started = 0", "local threads = {}", "function setup(thread)",
              "  thread:set(\"offset\", threads_started)",
              "  threads_started = threads_started + 1", "  threads[threads_started] = thread", "end",
              "local stride, gate = 1, nil",
              "init = function(args)",
              "  stride, gate = tonumber(args[1]) or 1, args[2]",
              "  if gate and (offset or 0) == stride - 1 then io.open(gate, \"w\"):close() end",
              "end",
              "local checked, started = false, false",
              "local function wait_for_gate()",
              "  if (offset or 0) == 0 and not checked then checked = true return end",
              "  while gate do",
              "    local file = io.open(gate)",
              "    if file then file:close() break end",
              "    ffi.C.usleep(1000)",
              "  end",
              "  started = true",
              "end",
              "local i = nil", "request = function()",
              "  if not started then wait_for_gate() end",
              "  if i == nil then i = offset or 0 else i = i + stride end",
              "  return requests[i % #requests + 1]", "end",
              "response = function(status, headers, body)",
              "  if status >= 300 and first_refusal == nil then",
              "    first_refusal = status .. \" \" .. string.gsub(string.sub(body, 1, 400), \"%s+\", \" \")",
              "  end", "end",
              "done = function(summary, latency, requests)",
              "  for _, thread in ipairs(threads) do",
              "    local refusal = thread:get(\"first_refusal\")",
              "    if refusal then io.write(\"first refusal: \" .. refusal .. \"\\n\") end",
              "  end", "end"]
    Path(path).write_text("\n".join(lines))


def cpu_times():
    """The machine's CPU time so far by kind (/proc/stat's first line, in clock ticks)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:9]
    return dict(zip(("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"), map(int, fields)))


def steal_percent(before, after):
    """The share of CPU time the hypervisor took from this machine's vCPUs between two
    `cpu_times()`: a vCPU descheduled by the host stalls whatever runs on it for milliseconds,
    which shows in latency tails, not in the server's own CPU."""
    total = sum(after[kind] - before[kind] for kind in before)
    return 100 * (after["steal"] - before["steal"]) / total if total else 0.0


def run_wrk(target, script, connections, seconds, path=""):
    """wrk at `connections` for `seconds`: with `script`, its requests; without, GET `path`.
    Also answers the share of CPU time stolen by the hypervisor during the run (`steal`, %)."""
    threads = min(2, connections)
    chosen = ["-s", script] if script else []
    before = cpu_times()
    with tempfile.TemporaryDirectory() as gates:
        # The script's threads start sending once the last one is loaded (`lua_script`).
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", *chosen,
             target.endpoint + path, *(["--", str(threads), str(Path(gates) / "go")] if script else [])],
            capture_output=True, text=True, timeout=seconds + 120).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    def latency(percent):
        match = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    refusals = re.findall(r"^first refusal: (.*)$", out, re.MULTILINE)
    if refusals:
        print(f"{target.endpoint} {connections} connections: {refusals[0][:300]}", file=sys.stderr)
    return {"rps": rps, "p50": latency(50), "p99": latency(99), "errors": int(non2xx.group(1)) if non2xx else 0,
            "steal": steal_percent(before, cpu_times())}


def describe_requests(target):
    ec = target.client("elasticache")
    for i in range(100):
        ec.create_cache_cluster(CacheClusterId=f"bench-{i:03d}", Engine="memcached", CacheNodeType="cache.t3.micro")
    return [signed_query(target, "elasticache", {"Action": "DescribeCacheClusters", "Version": "2015-02-02", "MaxRecords": 20})]


# Unique creates signed for each second of a run, so that none repeats: over twice the fastest
# rate measured since wrk's threads start together (10,424/s, capture off at 64 connections);
# the rates above 13,000/s of earlier runs were their start skew (`lua_script`).
CREATES_A_SECOND = 25_000


def create_requests(target, count, tag):
    return [
        signed_query(target, "elasticache", {
            "Action": "CreateCacheCluster", "Version": "2015-02-02", "CacheClusterId": f"c{tag}-{i:06d}",
            "Engine": "memcached", "CacheNodeType": "cache.t3.micro"})
        for i in range(count)
    ]


def signed_s3(target, method, path, body=b""):
    request = botocore.awsrequest.AWSRequest(
        method=method, url=target.endpoint + path, data=body, headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    botocore.auth.S3SigV4Auth(botocore.credentials.Credentials(*target.key), "s3", REGION).add_auth(request)
    headers = dict(request.headers.items())
    headers["Host"] = f"127.0.0.1:{target.port}"
    return (method, path, headers, body.decode("latin-1"))


def s3_throughput(target, work, seconds):
    """1 KB PUT and GET through wrk (objects/s), 64 MB PUT and GET through boto3 (MB/s)."""
    s3 = target.client("s3")
    bucket = f"bench-{target.kind}-bucket"
    s3.create_bucket(Bucket=bucket)
    payload = os.urandom(512).hex().encode()  # 1 KB of ASCII, sent byte-exact through a Lua literal
    puts = [signed_s3(target, "PUT", f"/{bucket}/small-{i:06d}", payload) for i in range(2000)]
    for i in range(200):
        s3.put_object(Bucket=bucket, Key=f"get-{i:04d}", Body=payload)
    gets = [signed_s3(target, "GET", f"/{bucket}/get-{i:04d}") for i in range(200)]
    results = {}
    for name, requests in [("PUT 1 KB", puts), ("GET 1 KB", gets)]:
        script = work / f"s3-{target.kind}-{name[:3]}.lua"
        lua_script(requests, script)
        results[name] = run_wrk(target, str(script), 8, seconds)
    big = os.urandom(64 * 1024 * 1024)
    put_times, get_times = [], []
    for i in range(3):
        start = time.monotonic()
        s3.put_object(Bucket=bucket, Key=f"big-{i}", Body=big)
        put_times.append(time.monotonic() - start)
        start = time.monotonic()
        assert len(s3.get_object(Bucket=bucket, Key=f"big-{i}")["Body"].read()) == len(big)
        get_times.append(time.monotonic() - start)
    results["PUT 64 MB"] = 64 / statistics.median(put_times)
    results["GET 64 MB"] = 64 / statistics.median(get_times)
    return results


def logging_trail(target, bucket, name):
    """A bucket with CloudTrail's bucket policy and a trail `name` logging into it."""
    s3 = target.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{bucket}"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/*"}]}))
    trail = target.client("cloudtrail")
    trail.create_trail(Name=name, S3BucketName=bucket)
    trail.start_logging(Name=name)


def delivery_latency(samples=30):
    """Call → object in bucket at a 1 s delivery interval, polled every 10 ms."""
    target = Target("cachetrail", ("--delivery-interval", "1"))
    try:
        s3 = target.client("s3")
        bucket = "bench-trail"
        logging_trail(target, bucket, "bench")
        iam = target.client("iam")
        seen_keys = set()
        latencies = []
        import gzip
        for _ in range(samples):
            start = time.monotonic()
            request_id = iam.list_users()["ResponseMetadata"]["RequestId"]
            found = False
            while not found and time.monotonic() - start < 10:
                for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                    for obj in page.get("Contents", []):
                        if obj["Key"] in seen_keys:
                            continue
                        seen_keys.add(obj["Key"])
                        body = gzip.decompress(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read())
                        if request_id.encode() in body:
                            found = True
                if not found:
                    time.sleep(0.01)
            latencies.append(time.monotonic() - start)
        latencies.sort()
        return latencies[len(latencies) // 2], latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    finally:
        target.stop()


def startup_times(kind, samples=5):
    """Process start → first successful signed GetCallerIdentity, `samples` times (`start_once`)."""
    return [start_once(kind)[1] for _ in range(samples)]


def start_once(kind):
    """(port open, first signed answer) in seconds, for one start of `kind` on a fresh data dir.

    The client is built (and its models loaded) before the process starts, with credentials
    known in advance (cachetrail's preset root key): what is timed is the server, not the
    harness. The port is polled with plain TCP connects every 2 ms, then the signed call is made
    (botocore itself, pointed at a port nobody listens on yet, stalls for hundreds of ms).
    """
    import botocore.exceptions
    key = ("AKIABENCHSTARTUP0001", "benchStartupSecretKey0000000000000000000") if kind == "cachetrail" else ("testing", "testing")
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix=f"bench-start-{kind}-")
    client = boto3.client(
        "sts", endpoint_url=f"http://127.0.0.1:{port}", region_name=REGION, aws_access_key_id=key[0],
        aws_secret_access_key=key[1], config=botocore.config.Config(retries={"max_attempts": 1}, read_timeout=10))
    try:
        client.get_caller_identity()  # nothing listens yet: warms the client's own first-call work
    except botocore.exceptions.EndpointConnectionError:
        pass
    if kind == "moto":
        command = [shutil.which("moto_server") or "moto_server", "-H", "127.0.0.1", "-p", str(port)]
    else:
        command = [str(BINARY), "serve", "--port", str(port), "--data-dir", data_dir, "--log-level", "error"]
    env = dict(os.environ, CACHETRAIL_ROOT_ACCESS_KEY_ID=key[0], CACHETRAIL_ROOT_SECRET_ACCESS_KEY=key[1])
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
        shutil.rmtree(data_dir, ignore_errors=True)


def memory_after_clusters(kind, count=10000):
    """Resident memory before and after creating `count` clusters (4 client threads)."""
    import concurrent.futures
    target = Target(kind, ("--cluster-quota", "1000000", "--node-quota", "1000000") if kind != "moto" else ())
    try:
        idle = target.rss_mib()
        def create(chunk):
            ec = target.client("elasticache")
            for i in chunk:
                ec.create_cache_cluster(CacheClusterId=f"m-{i:06d}", Engine="memcached", CacheNodeType="cache.t3.micro")
        chunks = [range(i, count, 4) for i in range(4)]
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(create, chunks))
        return idle, target.rss_mib(), time.monotonic() - start
    finally:
        target.stop()


TARGETS = [("cachetrail", "cachetrail", ()), ("moto", "moto", ()),
           ("cachetrail, capture off", "cachetrail", ("--benchmark-without-capture",))]


def fsynced_commits(directory, seconds):
    """Bare one-row SQLite commits per second, each fsynced (WAL, synchronous FULL), on the disk
    of `directory`: the floor under a durably captured call at one connection."""
    path = Path(directory) / "floor.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    count, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t (body) VALUES (?)", ("x" * 1500,))
        db.execute("COMMIT")
        count += 1
    db.close()
    path.unlink()
    return count / seconds


def request_rates(connections, seconds, work):
    """One pass of workload 1 over every target: {(label, workload, connections): wrk result}.
    Beside them, the stack's ceiling (cachetrail's health endpoint, no transaction) and the
    durability floor (bare fsynced SQLite commits on the same disk)."""
    rows = {}
    rows[("sqlite", "fsynced one-row commit", 1)] = {
        "rps": fsynced_commits(work, seconds), "p50": 0.0, "p99": 0.0, "errors": 0}
    for label, kind, args in TARGETS:
        quota = ("--cluster-quota", "1000000", "--node-quota", "1000000") if kind != "moto" else ()
        target = Target(kind, (*args, *quota))
        try:
            script = work / f"describe-{kind}.lua"
            lua_script(describe_requests(target), script)
            for c in connections:
                rows[(label, "DescribeCacheClusters", c)] = run_wrk(target, str(script), c, seconds)
            if label == "cachetrail":
                for c in connections:
                    rows[(label, "GET /_cachetrail/health", c)] = run_wrk(
                        target, None, c, seconds, path="/_cachetrail/health")
            for c in connections:
                create = work / f"create-{kind}-{c}.lua"
                # Unique ids (`CREATES_A_SECOND`; quota raised by the server flags; `lua_script`'s
                # threads take turns through them).
                count = CREATES_A_SECOND * seconds if kind != "moto" else 1000 * seconds
                lua_script(create_requests(target, count, f"{c}"), create)
                rows[(label, "CreateCacheCluster", c)] = run_wrk(target, str(create), c, seconds)
        finally:
            target.stop()
    return rows


def spread(values, digits=0):
    """Median, and min–max when there is more than one value."""
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:,.{digits}f}"
    return f"{median:,.{digits}f} ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", default="1,8,64")
    parser.add_argument("--runs", type=int, default=3, help="passes of the request-rate workloads")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--rates-only", action="store_true", help="only the request rates and their ratios")
    parser.add_argument(
        "--busy-neighbour", action="store_true",
        help="a diagnostic, not the measure: keep a lowest-priority busy loop running through the request "
             "rates (every target alike), so no CPU of a virtual machine halts between one connection's requests")
    options = parser.parse_args()
    connections = [int(c) for c in options.connections.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    # A guest CPU with nothing to run halts; on a host that does not poll before halting
    # (haltpoll.guest_halt_poll_ns=0), each request at one connection then pays the wake-ups of
    # the server's CPU and wrk's. The busy loop takes only CPU time nothing else wants (nice 19).
    neighbour = (subprocess.Popen(["nice", "-n", "19", "sh", "-c", "while :; do :; done"])
                 if options.busy_neighbour else None)
    try:
        runs = [request_rates(connections, options.seconds, work) for _ in range(options.runs)]
    finally:
        if neighbour:
            neighbour.kill()
            neighbour.wait()
        shutil.rmtree(work, ignore_errors=True)
    if neighbour:
        print("With a busy neighbour (nice 19 busy loop) through the request rates: a diagnostic, not the measure.")
        print()
    print(f"Request rates: median of {options.runs} runs (min–max); latencies are medians of the runs' figures.")
    print()
    print("| target | workload | connections | requests/s | p50 ms | p99 ms | non-2xx |")
    print("|---|---|---|---|---|---|---|")
    for key in runs[0]:
        label, workload, c = key
        results = [run[key] for run in runs]
        print(f"| {label} | {workload} | {c} | {spread([r['rps'] for r in results])} "
              f"| {statistics.median(r['p50'] for r in results):.2f} | {statistics.median(r['p99'] for r in results):.2f} "
              f"| {sum(r['errors'] for r in results)} |")
    print()
    print("| workload | connections | cachetrail ÷ moto | capture on ÷ off |")
    print("|---|---|---|---|")
    for workload in ["DescribeCacheClusters", "CreateCacheCluster"]:
        for c in connections:
            versus = [run[("cachetrail", workload, c)]["rps"] / run[("moto", workload, c)]["rps"] for run in runs]
            capture = [run[("cachetrail", workload, c)]["rps"] / run[("cachetrail, capture off", workload, c)]["rps"]
                       for run in runs]
            print(f"| {workload} | {c} | {spread(versus, 1)}× | {spread(capture, 2)} |")
    print()
    print("| measure | connections | ratio |")
    print("|---|---|---|")
    for c in connections:
        ceiling = [run[("cachetrail", "DescribeCacheClusters", c)]["rps"]
                   / run[("cachetrail", "GET /_cachetrail/health", c)]["rps"] for run in runs]
        print(f"| DescribeCacheClusters ÷ health endpoint (the stack's ceiling) | {c} | {spread(ceiling, 2)} |")
    if 1 in connections:
        floor = [run[("cachetrail", "CreateCacheCluster", 1)]["rps"] / run[("sqlite", "fsynced one-row commit", 1)]["rps"]
                 for run in runs]
        print(f"| CreateCacheCluster ÷ fsynced one-row SQLite commits (the durability floor) | 1 | {spread(floor, 2)} |")
    print()
    if options.rates_only:
        return
    starts = {"cachetrail": [], "moto": []}
    for _ in range(5):
        for kind in starts:
            starts[kind] += startup_times(kind, samples=1)
    for kind, times in starts.items():
        print(f"- start-up to first signed answer, {kind}, 5 starts: {spread([t * 1000 for t in times])} ms")
    print(f"- start-up ratio (medians): {statistics.median(starts['moto']) / statistics.median(starts['cachetrail']):.1f}×")
    work = Path(tempfile.mkdtemp(prefix="bench-s3-"))
    try:
        for kind in ["cachetrail", "moto"]:
            target = Target(kind)
            try:
                results = s3_throughput(target, work, options.seconds)
            finally:
                target.stop()
            for name in ["PUT 1 KB", "GET 1 KB"]:
                r = results[name]
                print(f"- S3 {name}, {kind}, 8 connections: {r['rps']:.0f} objects/s ({r['rps'] / 1024:.2f} MB/s), p99 {r['p99']:.2f} ms, non-2xx {r['errors']}")
            for name in ["PUT 64 MB", "GET 64 MB"]:
                print(f"- S3 {name}, {kind}, one boto3 client: {results[name]:.0f} MB/s (median of 3)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    p50, p99 = delivery_latency()
    print(f"- delivery latency, call to object in bucket, 1 s interval, 30 samples: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    if not options.skip_memory:
        for kind in ["cachetrail", "moto"]:
            idle, after, seconds = memory_after_clusters(kind)
            print(f"- resident memory after 10,000 CreateCacheCluster calls, {kind}: {after['VmRSS']:.1f} MiB "
                  f"(anonymous {after['RssAnon']:.1f}, file-backed {after['RssFile']:.1f}; at start {idle['VmRSS']:.1f} "
                  f"= {idle['RssAnon']:.1f} + {idle['RssFile']:.1f}; {seconds:.0f} s to create)")


if __name__ == "__main__":
    sys.exit(main())
