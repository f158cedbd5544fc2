"""Time that never runs backwards, state files only their owner reads, sessions bound to the
identity that made them."""

import json
import stat
import urllib.request
import uuid

import botocore.exceptions
import pytest

from conftest import Server

LIST_USERS = json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}],
})


def now_of(srv):
    with urllib.request.urlopen(f"{srv.endpoint}/_cachetrail/health", timeout=5) as response:
        return json.load(response)["now"]


def test_the_manual_clock_resumes_where_it_stopped(tmp_path):
    first = Server(tmp_path / "data")
    try:
        moved = first.advance(30 * 86400)["now"]
    finally:
        first.stop()
    again = Server(tmp_path / "data")
    try:
        assert now_of(again) >= moved
    finally:
        again.stop()


def test_an_expired_session_stays_expired_after_a_restart(tmp_path):
    first = Server(tmp_path / "data")
    try:
        creds = first.client("sts").get_session_token(DurationSeconds=900)["Credentials"]
        first.advance(3600)
    finally:
        first.stop()
    again = Server(tmp_path / "data")
    try:
        sts = again.client("sts", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
        with pytest.raises(botocore.exceptions.ClientError) as excinfo:
            sts.get_caller_identity()
        assert excinfo.value.response["Error"]["Code"] == "ExpiredToken"
    finally:
        again.stop()


def test_state_files_are_readable_by_their_owner_only(server):
    server.client("iam").create_user(UserName=f"mode-{uuid.uuid4().hex[:6]}")
    assert stat.S_IMODE(server.data_dir.stat().st_mode) == 0o700
    for path in server.data_dir.iterdir():
        if path.name.startswith("state.sqlite"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_a_session_does_not_pass_to_a_new_user_of_the_same_name(server):
    iam = server.client("iam")
    name = f"reborn-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    creds = server.client("sts", key["AccessKeyId"], key["SecretAccessKey"]).get_session_token(DurationSeconds=900)[
        "Credentials"
    ]
    iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=name)
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="list", PolicyDocument=LIST_USERS)
    old_session = server.client("iam", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        old_session.list_users()
    assert excinfo.value.response["Error"]["Code"] == "InvalidClientTokenId"
