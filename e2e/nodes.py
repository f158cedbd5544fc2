"""Helpers of the suites that run real cache nodes (test_cache_nodes.py, test_replication_nodes.py,
test_cluster_nodes.py, test_serverless_nodes.py, test_node_iam.py, test_node_parameters.py)."""

import os
import random
import shutil
import signal
import socket
import time

import pymemcache.client.base
import pymemcache.exceptions
import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

needs_both_engines = pytest.mark.skipif(
    not (shutil.which("redis-server") and shutil.which("memcached")),
    reason="needs redis-server and memcached (the README's test command installs them)",
)


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port_block(size=20):
    """A block of free loopback ports for the server's node processes, with a cluster-mode
    node's bus port (its port + 10000) free too, and both below the kernel's ephemeral range:
    there an outgoing connection's local port can take a bus port before a node (re)starts,
    and the node then exits at once, again and again (seen in CI after IncreaseReplicaCount)."""
    top = min(55536, _ephemeral_low() - 10000) - size
    for _ in range(200):
        start = random.randrange(12000, top)
        if all(_free(port) and _free(port + 10000) for port in range(start, start + size)):
            return f"{start}-{start + size - 1}"
    raise AssertionError("no free block of ports")


def _free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def refused(host, port):
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex((host, port)) != 0


def node_pid(srv, port):
    """The pid of the node process listening on `port` (from its node.conf and pid file)."""
    for pid_file in (srv.data_dir / "nodes").glob("*/pid"):
        config = (pid_file.parent / "node.conf")
        if config.exists() and f"port {port}\n" in config.read_text():
            return int(pid_file.read_text())
    raise AssertionError(f"no node on port {port}")


def memcached_speaks_tls_only(srv, address, key, value):
    """A memcached endpoint with in-transit encryption: a TLS client (verifying the certificate)
    stores and reads `key`; a plaintext client is dropped."""
    client = pymemcache.client.base.Client((address["Address"], address["Port"]), timeout=5,
                                           tls_context=srv.tls_context())
    client.set(key, value)
    assert client.get(key) == value
    client.close()
    plain = pymemcache.client.base.Client((address["Address"], address["Port"]), timeout=5)
    with pytest.raises((ConnectionError, pymemcache.exceptions.MemcacheUnexpectedCloseError)):
        plain.get(key)
    plain.close()


def member_pid(srv, cluster_id):
    """The pid of the node process of member cluster `cluster_id` (whose node endpoint may be a
    port cachetrail serves in front of it)."""
    pid_files = list((srv.data_dir / "nodes").glob(f"*_cluster_{cluster_id}_0001/pid"))
    assert len(pid_files) == 1, pid_files
    return int(pid_files[0].read_text())


TOKEN = "group-token-0123456789"


def group(ec, group_id):
    return ec.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"][0]


def kill_and_wait(pid, seconds=10):
    """SIGKILL `pid` and wait until it has exited (gone, or a zombie the server has not reaped
    yet). The signal takes effect when the process next runs: on a loaded machine a supervision
    pass started at once could still find it running, and the test would race the kernel."""
    os.kill(pid, signal.SIGKILL)

    def exited():
        try:
            with open(f"/proc/{pid}/stat") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
        except FileNotFoundError:
            return True

    eventually(exited, seconds)


def eventually(check, seconds=10):
    """`check()`'s first truthy answer; replication reaches a replica within a second or two."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            answer = check()
            if answer:
                return answer
        except redis.exceptions.ConnectionError:
            pass
        assert time.monotonic() < deadline, "not within %s s" % seconds
        time.sleep(0.1)


def once(**arguments):
    """A client that tries once: redis-py retries a refused sign-in three times, with backoff."""
    return redis.Redis(socket_timeout=5, retry=Retry(NoBackoff(), 0), **arguments)


def client(srv, endpoint):
    """A client of a group with TOKEN (and so in-transit encryption): TLS, verified."""
    return redis.Redis(host=endpoint["Address"], port=endpoint["Port"], password=TOKEN, socket_timeout=5, **srv.tls)


def role(srv, endpoint):
    return client(srv, endpoint).info("replication")["role"]


def until_available(srv, ec, group_id, seconds=120):
    """Moves the clock until the group and every member are available: real nodes (a cluster's
    formation, a new replica's sync) take wall time too, more of it on a loaded machine, where
    one node pass can itself wait up to 10 s for gossip (in CI, once, a cluster-mode group whose
    replicas were just increased was not available within 60 s; locally it takes under 5)."""
    def available():
        srv.advance(600)
        described = group(ec, group_id)
        members = [m["CacheClusterId"] for g in described["NodeGroups"] for m in g["NodeGroupMembers"]]
        return described["Status"] == "available" and all(
            ec.describe_cache_clusters(CacheClusterId=m)["CacheClusters"][0]["CacheClusterStatus"] == "available"
            for m in members)
    try:
        return eventually(available, seconds)
    except AssertionError as error:
        # The server's own account of its node passes, for whoever reads the CI log.
        raise AssertionError(f"{error}; the server's log ends:\n{srv.output()[-6000:]}") from None


def member_endpoints(ec, node_group):
    return [ec.describe_cache_clusters(CacheClusterId=m["CacheClusterId"], ShowCacheNodeInfo=True)["CacheClusters"][0][
        "CacheNodes"][0]["Endpoint"] for m in node_group["NodeGroupMembers"]]


def iam_auth_token(group_id, user, key_id, secret, region="us-east-1", token=None, serverless=False):
    """An ElastiCache IAM auth token as AWS's documentation builds one: a SigV4-presigned GET of
    http://<cache>/?Action=connect&User=<user>, without its scheme."""
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials

    request = botocore.awsrequest.AWSRequest(
        method="GET", url=f"http://{group_id}/",
        params={"Action": "connect", "User": user, **({"ResourceType": "ServerlessCache"} if serverless else {})})
    botocore.auth.SigV4QueryAuth(
        botocore.credentials.Credentials(key_id, secret, token), "elasticache", region, expires=900).add_auth(request)
    return request.prepare().url.removeprefix("http://")


def iam_user_group(srv, ec, group_id, user_id, default_id, engine):
    """A user group of an IAM-authenticated user and a `default` user that is switched off."""
    ec.create_user(UserId=user_id, UserName=user_id, Engine=engine, AuthenticationMode={"Type": "iam"},
                   AccessString="on ~* +@all")
    ec.create_user(UserId=default_id, UserName="default", Engine=engine, NoPasswordRequired=True,
                   AccessString="off ~* +@all")
    ec.create_user_group(UserGroupId=group_id, Engine=engine, UserIds=[user_id, default_id])
    srv.advance(10)


def resp(*words):
    return b"".join([f"*{len(words)}\r\n".encode()] + [f"${len(w)}\r\n{w}\r\n".encode() for w in words])


def answered(sock, reply, quiet=1.0):
    """How many `reply`s the connection has answered so far, once nothing has come for `quiet` seconds."""
    received = answered.received.setdefault(sock, bytearray())
    sock.settimeout(quiet)
    while True:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            return received.count(reply)
        assert chunk, "the endpoint closed the connection"
        received.extend(chunk)


answered.received = {}


def endpoint(client, cluster_id):
    cluster = client.describe_cache_clusters(CacheClusterId=cluster_id, ShowCacheNodeInfo=True)["CacheClusters"][0]
    return cluster["CacheClusterStatus"], cluster.get("CacheNodes", [{}])[0].get("Endpoint")
