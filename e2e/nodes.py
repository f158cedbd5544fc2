"""Helpers of the suites that run real cache nodes (test_cache_nodes.py, test_replication_nodes.py)."""

import socket


def free_port_block(size=20):
    """A block of free loopback ports for the server's node processes."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        start = s.getsockname()[1]
    start = min(start, 65535 - size)
    return f"{start}-{start + size - 1}"


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
