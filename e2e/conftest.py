"""Fixtures that run the built cachetrail server on a free loopback port with a fresh data dir."""

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3
import botocore.config
import pytest

ROOT = Path(__file__).resolve().parent.parent
BINARY = Path(os.environ.get("CACHETRAIL_BIN", ROOT / ".build" / "debug" / "cachetrail"))
REGION = "us-east-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One running server process; stopped by the fixture that started it."""

    def __init__(self, data_dir, clock="manual", extra_env=None, args=(), nodes="none"):
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(extra_env or {})
        self.log = open(self.data_dir.parent / f"server-{self.port}.log", "w+")
        self.process = subprocess.Popen(
            # Address-only cache nodes unless a test asks for real processes (test_cache_nodes.py).
            [str(BINARY), "serve", "--port", str(self.port), "--data-dir", str(self.data_dir), "--clock", clock,
             "--nodes", nodes, *args],
            stdout=self.log, stderr=subprocess.STDOUT, env=env,
            # A process group of its own: the cache nodes it starts are in it (see stop()).
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.output()}")
            try:
                with urllib.request.urlopen(f"{self.endpoint}/_cachetrail/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("server did not become healthy in 30 s")

    @property
    def tls(self):
        """A redis-py client's arguments for an endpoint with in-transit encryption: TLS, the
        server's certificate verified (host name included) against the data directory's CA."""
        return {"ssl": True, "ssl_ca_certs": str(self.data_dir / "nodes" / "tls" / "ca.pem")}

    def tls_context(self):
        return ssl.create_default_context(cafile=self.tls["ssl_ca_certs"])

    def tls_socket(self, address, port, timeout=5):
        """A TLS connection to an endpoint with in-transit encryption."""
        return self.tls_context().wrap_socket(
            socket.create_connection((address, port), timeout=timeout), server_hostname=address)

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.returncode != 0:
            # A server that did not stop cleanly (killed by the test, or above) left its cache
            # nodes running: they are in its process group.
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()

    @property
    def credentials_file(self):
        return self.data_dir / "credentials"

    def profile(self, name="default"):
        """The (key id, secret) pair of a profile in the server's credentials file."""
        values = {}
        current = None
        for line in self.credentials_file.read_text().splitlines():
            line = line.strip()
            if line.startswith("["):
                current = line[1:-1]
            elif "=" in line and current == name:
                key, value = (part.strip() for part in line.split("=", 1))
                values[key] = value
        return values["aws_access_key_id"], values["aws_secret_access_key"]

    MAX_ADVANCE = 90 * 86400  # the server refuses larger single moves

    def advance(self, seconds):
        while seconds > self.MAX_ADVANCE:
            self.advance(self.MAX_ADVANCE)
            seconds -= self.MAX_ADVANCE
        request = urllib.request.Request(
            f"{self.endpoint}/_cachetrail/clock", data=json.dumps({"advanceSeconds": seconds}).encode(), method="POST"
        )
        # A move waits for the node passes it makes due (starting processes, forming clusters).
        with urllib.request.urlopen(request, timeout=60) as r:
            return json.load(r)

    def let_elasticache_export_to(self, bucket):
        """The bucket policy that lets ElastiCache write snapshot exports into `bucket`."""
        self.client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "elasticache.amazonaws.com"}, "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/*"}]}))

    def client(self, service, key_id=None, secret=None, token=None, retries=1, region=REGION):
        if key_id is None:
            key_id, secret = self.profile()
        return boto3.client(
            service, endpoint_url=self.endpoint, region_name=region, aws_access_key_id=key_id,
            aws_secret_access_key=secret, aws_session_token=token,
            config=botocore.config.Config(retries={"max_attempts": retries, "mode": "standard"}),
        )

    def cli(self, *args, env=None, check=True):
        """Runs the real AWS CLI against the server; returns parsed JSON output (or the process)."""
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        full_env.update({
            "AWS_SHARED_CREDENTIALS_FILE": str(self.credentials_file), "AWS_CONFIG_FILE": os.devnull,
            "AWS_DEFAULT_REGION": REGION, "AWS_MAX_ATTEMPTS": "1",
        })
        full_env.update(env or {})
        result = subprocess.run(
            ["aws", "--endpoint-url", self.endpoint, "--output", "json", *args],
            capture_output=True, text=True, env=full_env, timeout=60,
        )
        if not check:
            return result
        assert result.returncode == 0, result.stderr
        if not result.stdout.strip():
            return {}
        try:
            return json.loads(result.stdout)
        except json.JSONDecodeError:  # the high-level `aws s3` commands print text
            return result.stdout


@pytest.fixture(scope="session")
def workdir():
    path = Path(tempfile.mkdtemp(prefix="cachetrail-e2e-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def server(workdir):
    """A server with a manual clock shared by the tests that do not restart it."""
    srv = Server(workdir / "shared-data")
    yield srv
    srv.stop()


@pytest.fixture
def fresh_server(tmp_path, request):
    """A server of the test's own, on a fresh data dir. When the test failed, the end of each
    server's log is printed (pytest shows it with the failure: CI keeps nothing else)."""
    started = []

    def start(**kwargs):
        srv = Server(tmp_path / f"data-{len(started)}", **kwargs)
        started.append(srv)
        return srv

    yield start
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    for srv in started:
        if failed:
            # Without the start-up lines that carry the throwaway server's keys and password.
            lines = [line for line in srv.output().splitlines()
                     if not line.startswith("export ") and "console root password" not in line]
            print(f"--- the server's log on port {srv.port} ends:\n" + "\n".join(lines)[-12000:])
        srv.stop()


@pytest.fixture
def with_nodes(fresh_server):
    """A server of the test's own whose cache nodes are real processes (on ports of their own)."""
    from nodes import free_port_block

    return fresh_server(nodes="real", args=("--node-ports", free_port_block()))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test item, so a fixture can tell that its test failed
    (the browser fixture then saves a screenshot)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)
