"""Parameter groups and node types on real nodes: a node starts with its node type's memory and
its parameter group's settings (Redis OSS/Valkey in its node.conf, memcached as flags), dynamic
changes reach running nodes with CONFIG SET, static ones wait for a reboot."""

import pymemcache.client.base
import redis

from nodes import endpoint, needs_both_engines

pytestmark = needs_both_engines


def parameter_group(ec, name, family, values):
    """A cache parameter group of `family` with `values` set."""
    ec.create_cache_parameter_group(CacheParameterGroupName=name, CacheParameterGroupFamily=family,
                                    Description=name)
    ec.modify_cache_parameter_group(CacheParameterGroupName=name, ParameterNameValues=[
        {"ParameterName": key, "ParameterValue": value} for key, value in values.items()])


def test_parameter_groups_and_node_types_set_the_nodes(with_nodes):
    srv = with_nodes
    ec = srv.client("elasticache")
    parameter_group(ec, "lru", "redis7", {"maxmemory-policy": "allkeys-lru", "timeout": "300",
                                          "acllog-max-len": "64"})
    ec.create_cache_cluster(CacheClusterId="tuned", Engine="redis", CacheNodeType="cache.t4g.small",
                            CacheParameterGroupName="lru")
    srv.advance(10)
    _, address = endpoint(ec, "tuned")
    client = redis.Redis(host=address["Address"], port=address["Port"], socket_timeout=5, decode_responses=True)
    assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
    assert client.config_get("timeout") == {"timeout": "300"}
    assert client.config_get("acllog-max-len") == {"acllog-max-len": "64"}
    # ElastiCache's own default, not the engine's (yes).
    assert client.config_get("latency-tracking") == {"latency-tracking": "no"}
    # cache.t4g.small: 1.37 GiB, less the default reserved-memory-percent of 25.
    assert int(client.config_get("maxmemory")["maxmemory"]) == int(1.37 * 1073741824 * 75 / 100)

    # A dynamic parameter changes on the running node, without a restart (the key stays).
    client.set("k", "v")
    ec.modify_cache_parameter_group(CacheParameterGroupName="lru", ParameterNameValues=[
        {"ParameterName": "maxmemory-policy", "ParameterValue": "noeviction"}])
    srv.advance(1)
    assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    assert client.get("k") == "v"
    client.close()


def test_a_static_parameter_waits_for_a_reboot(with_nodes):
    srv = with_nodes
    ec = srv.client("elasticache")
    ec.create_cache_parameter_group(CacheParameterGroupName="dbs", CacheParameterGroupFamily="redis7",
                                    Description="more databases")
    ec.create_cache_cluster(CacheClusterId="static", Engine="redis", CacheNodeType="cache.t4g.small",
                            CacheParameterGroupName="dbs")
    srv.advance(10)
    _, address = endpoint(ec, "static")
    ec.modify_cache_parameter_group(CacheParameterGroupName="dbs", ParameterNameValues=[
        {"ParameterName": "databases", "ParameterValue": "32"}])
    srv.advance(1)

    def apply_status():
        return ec.describe_cache_clusters(CacheClusterId="static")["CacheClusters"][0]["CacheParameterGroup"][
            "ParameterApplyStatus"]

    def databases():
        client = redis.Redis(host=address["Address"], port=address["Port"], socket_timeout=5, decode_responses=True)
        try:
            return client.config_get("databases")["databases"]
        finally:
            client.close()

    assert apply_status() == "pending-reboot" and databases() == "16"
    ec.reboot_cache_cluster(CacheClusterId="static", CacheNodeIdsToReboot=["0001"])
    srv.advance(10)
    assert apply_status() == "in-sync" and databases() == "32"


def test_a_memcached_parameter_group_sets_the_nodes_flags(with_nodes):
    srv = with_nodes
    ec = srv.client("elasticache")
    parameter_group(ec, "big-items", "memcached1.6", {"max_item_size": "2097152", "cas_disabled": "1"})
    ec.create_cache_cluster(CacheClusterId="items", Engine="memcached", CacheNodeType="cache.t4g.small",
                            NumCacheNodes=1, CacheParameterGroupName="big-items")
    srv.advance(10)
    _, address = endpoint(ec, "items")
    client = pymemcache.client.base.Client((address["Address"], address["Port"]), timeout=5)
    settings = client.stats("settings")
    assert settings[b"item_size_max"] == 2097152 and settings[b"cas_enabled"] in (False, b"no")
    client.set("large", b"x" * 1_500_000)  # above memcached's own 1 MiB default
    assert len(client.get("large")) == 1_500_000
    client.close()
