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
    checked = set()
    for path in server.data_dir.iterdir():
        if path.name.startswith(("state.sqlite", "journal-index.sqlite")):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
            checked.add(path.name)
    assert {"state.sqlite", "journal-index.sqlite"} <= checked


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


def object_files(srv):
    return sorted(path.name for path in (srv.data_dir / "objects").iterdir())


def test_overwritten_and_deleted_objects_give_their_bytes_back_at_once(fresh_server):
    srv = fresh_server()
    s3 = srv.client("s3")
    s3.create_bucket(Bucket="reclaimed")
    before = object_files(srv)
    for round in range(12):
        s3.put_object(Bucket="reclaimed", Key="same", Body=b"x" * (256 * 1024 + round))
    assert len(object_files(srv)) == len(before) + 1
    s3.copy_object(Bucket="reclaimed", Key="copy", CopySource="reclaimed/same")
    s3.copy_object(Bucket="reclaimed", Key="copy", CopySource="reclaimed/same", MetadataDirective="REPLACE")
    assert len(object_files(srv)) == len(before) + 2
    s3.delete_objects(Bucket="reclaimed", Delete={"Objects": [{"Key": "same"}, {"Key": "copy"}]})
    assert object_files(srv) == before
    upload = s3.create_multipart_upload(Bucket="reclaimed", Key="parts")["UploadId"]
    s3.upload_part(Bucket="reclaimed", Key="parts", UploadId=upload, PartNumber=1, Body=b"a" * 1024)
    s3.upload_part(Bucket="reclaimed", Key="parts", UploadId=upload, PartNumber=1, Body=b"b" * 1024)
    assert len(object_files(srv)) == len(before) + 1
    s3.abort_multipart_upload(Bucket="reclaimed", Key="parts", UploadId=upload)
    assert object_files(srv) == before


def test_a_refused_write_leaves_no_file(fresh_server):
    srv = fresh_server()
    s3 = srv.client("s3")
    s3.create_bucket(Bucket="refusing")
    before = object_files(srv)
    # Eleven tags are refused inside the write, after the bytes were sealed to a file.
    tagging = "&".join(f"t{i}=v" for i in range(11))
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.put_object(Bucket="refusing", Key="k", Body=b"data", Tagging=tagging)
    assert excinfo.value.response["Error"]["Code"] == "InvalidArgument"
    assert object_files(srv) == before


def test_the_clock_endpoint_refuses_jumps_past_the_retention_window(server):
    import urllib.error

    request = urllib.request.Request(
        f"{server.endpoint}/_cachetrail/clock", data=json.dumps({"advanceSeconds": 91 * 86400}).encode(),
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=5)
    assert excinfo.value.code == 400 and b"90 days" in excinfo.value.read()


def test_secret_keys_are_sealed_at_rest(fresh_server):
    import sqlite3

    srv = fresh_server()
    key_id, secret = srv.profile()
    session = srv.client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    database = sqlite3.connect(f"file:{srv.data_dir / 'state.sqlite'}?mode=ro", uri=True)
    try:
        bodies = [bytes(row[0]).decode() for row in database.execute(
            "SELECT body FROM documents WHERE kind IN ('iam.accesskey', 'sts.session')")]
    finally:
        database.close()
    assert bodies and all("sealed:v1:" in body for body in bodies)
    text = "\n".join(bodies)
    for secret_value in (secret, session["SecretAccessKey"], session["SessionToken"]):
        assert secret_value not in text
    # Still usable: the server opens them to verify signatures.
    srv.client("sts", session["AccessKeyId"], session["SecretAccessKey"], session["SessionToken"]).get_caller_identity()
