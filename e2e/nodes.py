"""Helpers of the suites that run real cache nodes (test_cache_nodes.py, test_replication_nodes.py)."""

import random
import socket


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
