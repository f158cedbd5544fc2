"""Replication groups without cluster mode on real nodes: a redis-server per member wired with
REPLICAOF, primary and reader endpoints that cachetrail serves as proxies, failovers (TestFailover
and a primary process that dies) that promote a replica for real and write AWS's events; AUTH
tokens and RBAC users on every member, replica counts, global datastores across regions."""

import shutil

import pytest
import redis

from nodes import free_port_block, member_pid, refused, TOKEN, group, eventually, client, role, once, kill_and_wait

pytestmark = pytest.mark.skipif(
    not shutil.which("redis-server"), reason="needs redis-server (the README's test command installs it)"
)


def roles(ec, group_id):
    members = group(ec, group_id)["NodeGroups"][0]["NodeGroupMembers"]
    return {m["CacheClusterId"]: (m["CurrentRole"], m["ReadEndpoint"]) for m in members}


def failover_messages(ec, group_id):
    events = ec.describe_events(Duration=60)["Events"]
    return [(e["SourceIdentifier"], e["Message"]) for e in sorted(events, key=lambda e: e["Date"])
            if "ailover" in e["Message"] or e["Message"].startswith(("Recovering", "Finished recovery"))]


def test_a_replication_group_replicates_and_fails_over_for_real(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    ec.create_replication_group(
        ReplicationGroupId="orders", ReplicationGroupDescription="two real nodes", Engine="redis",
        CacheNodeType="cache.t4g.small", NumCacheClusters=2, AutomaticFailoverEnabled=True,
        TransitEncryptionEnabled=True, AuthToken=TOKEN)
    srv.advance(10)
    srv.advance(10)
    described = group(ec, "orders")
    assert described["Status"] == "available"
    node_group = described["NodeGroups"][0]
    primary, reader = node_group["PrimaryEndpoint"], node_group["ReaderEndpoint"]
    assert primary["Address"] == reader["Address"] == "127.0.0.1" and primary["Port"] != reader["Port"]
    before = roles(ec, "orders")
    first_primary = next(i for i, (r, _) in before.items() if r == "primary")
    replica = next(i for i, (r, _) in before.items() if r == "replica")

    # Writes on the primary endpoint reach the replica behind the reader endpoint.
    client(srv, primary).set("order:1", "paid")
    assert eventually(lambda: client(srv, reader).get("order:1")) == b"paid"
    assert role(srv, primary) == "master" and role(srv, reader) == "slave"
    with pytest.raises(redis.exceptions.ReadOnlyError):
        client(srv, reader).set("order:2", "refused on a replica")
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(host=primary["Address"], port=primary["Port"], password="wrong-token-0123456789",
                    socket_timeout=5, **srv.tls).ping()
    # In-transit encryption `required` (the default): a client without TLS is dropped, at the
    # group's endpoints and at its nodes'.
    for plain in (primary, reader, *(endpoint for _, endpoint in before.values())):
        with pytest.raises(redis.exceptions.ConnectionError):
            once(host=plain["Address"], port=plain["Port"], password=TOKEN).ping()

    # TestFailover promotes the replica: the primary endpoint now writes to it, the old primary
    # replicates from it, and ElastiCache's events say so in AWS's order.
    ec.test_failover(ReplicationGroupId="orders", NodeGroupId="0001")
    srv.advance(0)
    after = roles(ec, "orders")
    assert after[replica][0] == "primary" and after[first_primary][0] == "replica"
    assert eventually(lambda: role(srv, primary) == "master" and client(srv, primary).set("order:3", "after failover"))
    assert role(srv, after[replica][1]) == "master"
    assert eventually(lambda: role(srv, after[first_primary][1]) == "slave")
    assert eventually(lambda: client(srv, after[first_primary][1]).get("order:3")) == b"after failover"
    assert client(srv, primary).get("order:1") == b"paid"
    completed = f"Failover from primary node {first_primary} to replica node {replica} completed"
    assert failover_messages(ec, "orders") == [
        ("orders", "Test Failover API called for node group 0001"),
        (first_primary, completed), ("orders", completed),
        (first_primary, "Recovering cache nodes 0001"), (first_primary, "Finished recovery for cache nodes 0001"),
    ]

    # Multi-AZ: the primary's process dies; a supervision pass promotes the replica without a
    # call, and the dead node comes back as its replica.
    kill_and_wait(member_pid(srv, replica))
    srv.advance(0)
    final = roles(ec, "orders")
    assert final[first_primary][0] == "primary" and final[replica][0] == "replica"
    assert eventually(lambda: client(srv, primary).set("order:4", "after a crash"))
    assert eventually(lambda: role(srv, final[replica][1]) == "slave")
    assert eventually(lambda: client(srv, reader).get("order:4")) == b"after a crash"
    assert (replica, f"Failover from primary node {replica} to replica node {first_primary} completed") \
        in failover_messages(ec, "orders")

    ec.delete_replication_group(ReplicationGroupId="orders")
    srv.advance(600)
    srv.advance(600)
    for endpoint in (primary, reader, final[first_primary][1], final[replica][1]):
        assert refused(endpoint["Address"], endpoint["Port"])


def test_auth_tokens_of_a_group_rotate_on_every_member(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    ec.create_replication_group(
        ReplicationGroupId="tokens", ReplicationGroupDescription="rotation", Engine="valkey",
        CacheNodeType="cache.t4g.small", NumCacheClusters=2, TransitEncryptionEnabled=True, AuthToken=TOKEN)
    srv.advance(10)
    srv.advance(10)
    node_group = group(ec, "tokens")["NodeGroups"][0]
    client(srv, node_group["PrimaryEndpoint"]).set("k", "v")
    assert eventually(lambda: client(srv, node_group["ReaderEndpoint"]).get("k")) == b"v"
    newer = "newer-token-0123456789"
    ec.modify_replication_group(ReplicationGroupId="tokens", AuthToken=newer, AuthTokenUpdateStrategy="SET",
                                ApplyImmediately=True)
    srv.advance(10)
    for endpoint in (node_group["PrimaryEndpoint"], node_group["ReaderEndpoint"]):
        assert redis.Redis(host=endpoint["Address"], port=endpoint["Port"], password=newer,
                           socket_timeout=5, **srv.tls).get("k") == b"v"
        with pytest.raises(redis.exceptions.AuthenticationError):
            client(srv, endpoint).ping()
    # The replica still follows its primary with the new token.
    redis.Redis(host=node_group["PrimaryEndpoint"]["Address"], port=node_group["PrimaryEndpoint"]["Port"],
                password=newer, socket_timeout=5, **srv.tls).set("k", "v2")
    assert eventually(lambda: redis.Redis(
        host=node_group["ReaderEndpoint"]["Address"], port=node_group["ReaderEndpoint"]["Port"], password=newer,
        socket_timeout=5, **srv.tls).get("k") == b"v2")


def test_rbac_users_are_the_nodes_acl_users_kept_in_step(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    first, second = "app-password-0123456789", "app-password-9876543210"
    ec.create_user(UserId="app", UserName="app", Engine="redis", Passwords=[first],
                   AccessString="on ~app:* -@all +@read +@write")
    ec.create_user(UserId="locked-default", UserName="default", Engine="redis", NoPasswordRequired=True,
                   AccessString="off ~* +@all")
    ec.create_user_group(UserGroupId="apps", Engine="redis", UserIds=["app", "locked-default"])
    srv.advance(10)
    ec.create_replication_group(
        ReplicationGroupId="rbac", ReplicationGroupDescription="users", Engine="redis",
        CacheNodeType="cache.t4g.small", NumCacheClusters=2, TransitEncryptionEnabled=True, UserGroupIds=["apps"])
    srv.advance(10)
    srv.advance(10)
    node_group = group(ec, "rbac")["NodeGroups"][0]
    primary, reader = node_group["PrimaryEndpoint"], node_group["ReaderEndpoint"]

    def as_app(endpoint, password):
        return redis.Redis(host=endpoint["Address"], port=endpoint["Port"], username="app", password=password,
                           socket_timeout=5, **srv.tls)

    as_app(primary, first).set("app:1", "allowed")
    assert eventually(lambda: as_app(reader, first).get("app:1")) == b"allowed"  # the replica has the users too
    with pytest.raises(redis.exceptions.NoPermissionError):
        as_app(primary, first).set("billing:1", "outside the key pattern")
    with pytest.raises(redis.exceptions.NoPermissionError):
        as_app(primary, first).config_get("maxmemory")
    with pytest.raises(redis.exceptions.AuthenticationError):
        as_app(primary, "wrong-password-0123456789").ping()
    # The group's `default` user is off: no command without signing in.
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(host=primary["Address"], port=primary["Port"], socket_timeout=5, **srv.tls).get("app:1")
    # The server's own user is not one a client can guess into: no password of ours works for it.
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(host=primary["Address"], port=primary["Port"], username="cachetrail-supervisor",
                    password=first, socket_timeout=5, **srv.tls).ping()

    # A new password applies live on every node; the old one stops working.
    ec.modify_user(UserId="app", Passwords=[second])
    srv.advance(10)
    assert as_app(primary, second).get("app:1") == b"allowed"
    assert as_app(reader, second).get("app:1") == b"allowed"
    with pytest.raises(redis.exceptions.AuthenticationError):
        as_app(primary, first).ping()
    # Taken out of the group, the user is gone from the nodes.
    ec.modify_user_group(UserGroupId="apps", UserIdsToRemove=["app"])
    srv.advance(10)
    srv.advance(10)
    with pytest.raises(redis.exceptions.AuthenticationError):
        as_app(primary, second).ping()


def test_replica_counts_change_the_running_replicas(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    ec = srv.client("elasticache")
    ec.create_replication_group(
        ReplicationGroupId="grow", ReplicationGroupDescription="replicas", Engine="redis",
        CacheNodeType="cache.t4g.small", NumCacheClusters=1)
    srv.advance(10)
    srv.advance(10)
    node_group = group(ec, "grow")["NodeGroups"][0]
    primary = node_group["PrimaryEndpoint"]
    redis.Redis(host=primary["Address"], port=primary["Port"], socket_timeout=5).set("seed", "before the replicas")

    ec.increase_replica_count(ReplicationGroupId="grow", NewReplicaCount=2, ApplyImmediately=True)
    srv.advance(600)
    srv.advance(600)
    members = roles(ec, "grow")
    replicas = [endpoint for role_name, endpoint in members.values() if role_name == "replica"]
    assert len(replicas) == 2
    for replica in replicas:
        node = redis.Redis(host=replica["Address"], port=replica["Port"], socket_timeout=5)
        assert eventually(lambda: node.get("seed")) == b"before the replicas"
        assert node.info("replication")["role"] == "slave"

    ec.decrease_replica_count(ReplicationGroupId="grow", NewReplicaCount=1, ApplyImmediately=True)
    srv.advance(600)
    srv.advance(600)
    left = [endpoint for role_name, endpoint in roles(ec, "grow").values() if role_name == "replica"]
    assert len(left) == 1
    gone = [r for r in replicas if r not in left]
    assert len(gone) == 1 and refused(gone[0]["Address"], gone[0]["Port"])


def test_a_global_datastore_replicates_across_regions_and_fails_over(fresh_server):
    srv = fresh_server(nodes="real", args=("--node-ports", free_port_block()))
    east = srv.client("elasticache", region="us-east-1")
    west = srv.client("elasticache", region="us-west-2")
    east.create_replication_group(ReplicationGroupId="shop", ReplicationGroupDescription="primary region",
                                  Engine="redis", CacheNodeType="cache.r6g.large", NumCacheClusters=1)
    srv.advance(10)
    srv.advance(10)
    gid = east.create_global_replication_group(GlobalReplicationGroupIdSuffix="shop",
                                               PrimaryReplicationGroupId="shop")["GlobalReplicationGroup"][
        "GlobalReplicationGroupId"]
    srv.advance(10)
    west.create_replication_group(ReplicationGroupId="shop-west", ReplicationGroupDescription="secondary region",
                                  GlobalReplicationGroupId=gid, NumCacheClusters=1)
    srv.advance(10)
    srv.advance(10)

    def endpoint_of(client, group_id):
        return group(client, group_id)["NodeGroups"][0]["PrimaryEndpoint"]

    def node(endpoint):
        return redis.Redis(host=endpoint["Address"], port=endpoint["Port"], socket_timeout=5)

    east_primary, west_primary = endpoint_of(east, "shop"), endpoint_of(west, "shop-west")
    node(east_primary).set("cart:1", "three items")
    assert eventually(lambda: node(west_primary).get("cart:1")) == b"three items"
    with pytest.raises(redis.exceptions.ReadOnlyError):
        node(west_primary).set("cart:2", "a secondary region is read-only")

    # Failing the global datastore over makes the west group the writable one.
    east.failover_global_replication_group(GlobalReplicationGroupId=gid, PrimaryRegion="us-west-2",
                                           PrimaryReplicationGroupId="shop-west")
    srv.advance(10)
    assert group(west, "shop-west")["GlobalReplicationGroupInfo"]["GlobalReplicationGroupMemberRole"] == "primary"
    assert eventually(lambda: node(west_primary).set("cart:3", "written in the west"))
    assert eventually(lambda: node(east_primary).get("cart:3")) == b"written in the west"
    with pytest.raises(redis.exceptions.ReadOnlyError):
        node(east_primary).set("cart:4", "east is a secondary now")
