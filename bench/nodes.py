#!/usr/bin/env python3
"""Real cache nodes: how long until a new cache takes writes, what the nodes cost in memory,
and what the primary-endpoint proxy costs in throughput.

Usage (release build in .build-release; redis-server, redis-tools and memcached installed):

    .venv/bin/python bench/nodes.py [--samples 5] [--requests 200000]

- Create → first SET: CreateCacheCluster of one memcached node, and CreateReplicationGroup of a
  3-shard × 1-replica cluster-mode group, each timed from the create call until a client's SET
  succeeds (polling Describe every 20 ms; cachetrail runs with --lifecycle-seconds 0 on the wall
  clock, so the time is the node processes', the cluster formation's and the supervision pass's).
- Memory: resident memory of cachetrail plus its node processes with 10 one-node Redis clusters.
- Proxy: redis-benchmark (SET and GET, 50 connections, no pipelining) against a one-replica
  group's PrimaryEndpoint (cachetrail's proxy), against the primary node's own port, and against
  the PrimaryEndpoint of a like group with in-transit encryption (`--tls --cacert`: cachetrail
  terminates TLS), in turn, `--samples` times; the ratios of medians.
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pymemcache.client.base
from redis.cluster import RedisCluster

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402


def until(check, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        try:
            answer = check()
            if answer:
                return answer
        except Exception:  # a node or cluster not up yet
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("not within %s s" % seconds)
        time.sleep(0.02)


def memcached_first_set(target, name):
    ec = target.client("elasticache")
    started = time.monotonic()
    ec.create_cache_cluster(CacheClusterId=name, Engine="memcached", CacheNodeType="cache.t4g.small", NumCacheNodes=1)

    def endpoint():
        cluster = ec.describe_cache_clusters(CacheClusterId=name, ShowCacheNodeInfo=True)["CacheClusters"][0]
        return cluster["CacheClusterStatus"] == "available" and cluster["CacheNodes"][0]["Endpoint"]

    address = until(endpoint)
    client = pymemcache.client.base.Client((address["Address"], address["Port"]), connect_timeout=2, timeout=2)
    until(lambda: client.set("k", b"v", noreply=False))
    client.close()
    return time.monotonic() - started


def cluster_first_set(target, name):
    ec = target.client("elasticache")
    started = time.monotonic()
    ec.create_replication_group(
        ReplicationGroupId=name, ReplicationGroupDescription="bench", Engine="redis",
        CacheNodeType="cache.t4g.small", NumNodeGroups=3, ReplicasPerNodeGroup=1, AutomaticFailoverEnabled=True)

    def endpoint():
        group = ec.describe_replication_groups(ReplicationGroupId=name)["ReplicationGroups"][0]
        return group["Status"] == "available" and group["ConfigurationEndpoint"]

    address = until(endpoint)
    client = until(lambda: RedisCluster(host=address["Address"], port=address["Port"], socket_timeout=2))
    until(lambda: client.set("k", "v"))
    client.close()
    return time.monotonic() - started


def node_rss_mib(target):
    """cachetrail's resident memory plus its node processes' (from their pid files)."""
    total = target.rss_mib()["VmRSS"]
    for pid_file in (target.dir / "nodes").glob("*/pid"):
        status = Path(f"/proc/{pid_file.read_text().strip()}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
    return total


def redis_benchmark(port, requests, tls=()):
    out = subprocess.run(
        ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-t", "set,get", "-n", str(requests), "-c", "50",
         "-q", "--csv", *tls], capture_output=True, text=True, check=True).stdout
    rates = {}
    for line in out.splitlines()[1:]:
        fields = [f.strip('"') for f in line.split(",")]
        rates[fields[0]] = float(fields[1])
    return rates


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200_000)
    options = parser.parse_args()
    target = run.Target("cachetrail", ("--node-ports", "24000-24999"), nodes="real")
    try:
        memcached = [memcached_first_set(target, f"mc-{n}") for n in range(options.samples)]
        print(f"- CreateCacheCluster (memcached, 1 node) → first SET: median {statistics.median(memcached) * 1000:.0f} ms"
              f" (min {min(memcached) * 1000:.0f}, max {max(memcached) * 1000:.0f}; {options.samples} samples)")
        shards = [cluster_first_set(target, f"cm-{n}") for n in range(min(options.samples, 3))]
        print(f"- CreateReplicationGroup (3 shards × 1 replica) → first SET through the configuration endpoint: "
              f"median {statistics.median(shards) * 1000:.0f} ms (min {min(shards) * 1000:.0f}, "
              f"max {max(shards) * 1000:.0f}; {len(shards)} samples)")
    finally:
        target.stop()

    target = run.Target("cachetrail", ("--node-ports", "25000-25999"), nodes="real")
    try:
        ec = target.client("elasticache")
        idle = node_rss_mib(target)
        for n in range(10):
            ec.create_cache_cluster(CacheClusterId=f"mem-{n}", Engine="redis", CacheNodeType="cache.t4g.small")
        until(lambda: all(c["CacheClusterStatus"] == "available"
                          for c in ec.describe_cache_clusters()["CacheClusters"]))
        print(f"- resident memory, cachetrail plus nodes: {idle:.1f} MiB idle, {node_rss_mib(target):.1f} MiB with "
              f"10 one-node Redis clusters")

        for name, transit in (("proxied", False), ("sealed", True)):
            ec.create_replication_group(
                ReplicationGroupId=name, ReplicationGroupDescription="bench", Engine="redis",
                CacheNodeType="cache.t4g.small", NumCacheClusters=2, TransitEncryptionEnabled=transit)

        def group(name="proxied"):
            described = ec.describe_replication_groups(ReplicationGroupId=name)["ReplicationGroups"][0]
            return described["Status"] == "available" and described

        described = until(group)
        sealed = until(lambda: group("sealed"))["NodeGroups"][0]["PrimaryEndpoint"]["Port"]
        tls = ("--tls", "--cacert", str(target.dir / "nodes" / "tls" / "ca.pem"))
        proxy = described["NodeGroups"][0]["PrimaryEndpoint"]["Port"]
        primary = next(m for m in described["NodeGroups"][0]["NodeGroupMembers"] if m["CurrentRole"] == "primary")
        direct = ec.describe_cache_clusters(CacheClusterId=primary["CacheClusterId"], ShowCacheNodeInfo=True)[
            "CacheClusters"][0]["CacheNodes"][0]["Endpoint"]["Port"]
        through, straight, encrypted = [], [], []
        for _ in range(options.samples):
            through.append(redis_benchmark(proxy, options.requests))
            straight.append(redis_benchmark(direct, options.requests))
            encrypted.append(redis_benchmark(sealed, options.requests, tls))
        for command in ("SET", "GET"):
            proxied = statistics.median(r[command] for r in through)
            node = statistics.median(r[command] for r in straight)
            secure = statistics.median(r[command] for r in encrypted)
            print(f"- redis-benchmark {command}: {proxied:,.0f} req/s through the primary endpoint, {node:,.0f} "
                  f"direct: {proxied / node:.2f} of direct; {secure:,.0f} with TLS through the primary endpoint: "
                  f"{secure / node:.2f} of direct, {secure / proxied:.2f} of the plaintext proxy")
    finally:
        target.stop()


if __name__ == "__main__":
    main()
