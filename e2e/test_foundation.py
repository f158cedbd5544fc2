"""The foundation end to end: start-up, credentials, health, clock, metrics, accounts."""

import json
import subprocess
import urllib.error
import urllib.request

from conftest import BINARY, Server


def test_first_start_writes_credentials_and_prints_export(fresh_server):
    srv = fresh_server()
    out = srv.output()
    key_id, secret = srv.profile()
    assert key_id.startswith("AKIA") and len(key_id) == 20
    assert f"export AWS_ACCESS_KEY_ID={key_id} AWS_SECRET_ACCESS_KEY={secret}" in out
    assert f"AWS_ENDPOINT_URL={srv.endpoint}" in out
    # The secret is printed once, on the export line, never in a log line.
    assert out.count(secret) == 1


def test_restart_keeps_the_account(fresh_server):
    first = fresh_server()
    key = first.profile()
    identity = first.cli("sts", "get-caller-identity")
    first.stop()
    again = Server(first.data_dir)
    try:
        assert again.profile() == key
        assert again.cli("sts", "get-caller-identity") == identity
        assert key[1] not in again.output()
    finally:
        again.stop()


def test_get_caller_identity_as_root_with_the_cli(server):
    identity = server.cli("sts", "get-caller-identity")
    assert identity == {"UserId": "000000000000", "Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root"}


def test_preset_root_credentials(fresh_server):
    srv = fresh_server(
        extra_env={
            "CACHETRAIL_ROOT_ACCESS_KEY_ID": "AKIAPRESETPRESET0001",
            "CACHETRAIL_ROOT_SECRET_ACCESS_KEY": "presetsecretpresetsecretpresetsecret0001",
        }
    )
    assert srv.profile() == ("AKIAPRESETPRESET0001", "presetsecretpresetsecretpresetsecret0001")
    sts = srv.client("sts", "AKIAPRESETPRESET0001", "presetsecretpresetsecretpresetsecret0001")
    assert sts.get_caller_identity()["Account"] == "000000000000"


def test_health_and_metrics(server):
    with urllib.request.urlopen(f"{server.endpoint}/_cachetrail/health") as r:
        health = json.load(r)
    assert health["status"] == "ok" and health["clock"] == "manual"
    server.cli("sts", "get-caller-identity")
    with urllib.request.urlopen(f"{server.endpoint}/_cachetrail/metrics") as r:
        text = r.read().decode()
    assert 'cachetrail_requests_total{service="sts",operation="GetCallerIdentity",status="200"}' in text


def test_manual_clock_moves_only_when_told(server):
    before = server.advance(0)["now"]
    after = server.advance(3600)["now"]
    assert before < after
    assert int(after[11:13]) == (int(before[11:13]) + 1) % 24


def test_clock_endpoint_is_refused_on_the_system_clock(fresh_server):
    srv = fresh_server(clock="system")
    try:
        srv.advance(10)
        raise AssertionError("advancing a system clock must fail")
    except urllib.error.HTTPError as error:
        assert error.code == 409


def test_non_loopback_bind_needs_a_flag(tmp_path):
    result = subprocess.run(
        [str(BINARY), "serve", "--host", "0.0.0.0", "--port", "0", "--data-dir", str(tmp_path / "d")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "--allow-remote" in result.stderr


def test_account_create_while_running(server):
    result = subprocess.run(
        [str(BINARY), "account", "create", "--data-dir", str(server.data_dir), "--id", "111122223333"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "account 111122223333" in result.stdout
    identity = server.cli("sts", "get-caller-identity", "--profile", "111122223333")
    assert identity["Arn"] == "arn:aws:iam::111122223333:root"
    # The default profile is untouched, and the same id cannot be created twice.
    assert server.cli("sts", "get-caller-identity")["Account"] == "000000000000"
    again = subprocess.run(
        [str(BINARY), "account", "create", "--data-dir", str(server.data_dir), "--id", "111122223333"],
        capture_output=True, text=True, timeout=60,
    )
    assert again.returncode != 0 and "already exists" in again.stderr


def test_sigterm_shuts_down_gracefully(fresh_server):
    srv = fresh_server()
    srv.cli("sts", "get-caller-identity")
    srv.process.terminate()
    assert srv.process.wait(timeout=15) == 0
    assert "Server started and listening" in srv.output()


def test_doctor_says_what_is_usable_here(fresh_server):
    srv = fresh_server()
    result = subprocess.run(
        [str(BINARY), "doctor", "--data-dir", str(srv.data_dir)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert f"in use by a cachetrail server (pid {srv.process.pid})" in result.stdout
    assert "(mode 700)" in result.stdout and "free disk:" in result.stdout
    assert "memcached:" in result.stdout and "redis:" in result.stdout
    assert "aws cli:" in result.stdout and "chromium (headless browser tests):" in result.stdout
    srv.stop()
    idle = subprocess.run(
        [str(BINARY), "doctor", "--data-dir", str(srv.data_dir)], capture_output=True, text=True, timeout=60
    )
    assert "not in use by a server" in idle.stdout
