"""Each SigV4 failure, and the wire's answers to bad input, end to end."""

import datetime
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.exceptions
import pytest

NS = "{https://sts.amazonaws.com/doc/2011-06-15/}"


def send(request, body=None):
    """Sends a signed botocore request (with `body` instead of the signed one, if given) with
    urllib; returns (status, body text)."""
    data = body if body is not None else request.body
    http = urllib.request.Request(request.url, data=data or None, method=request.method)
    for name, value in request.headers.items():
        http.add_header(name, value if isinstance(value, str) else value.decode())
    try:
        with urllib.request.urlopen(http, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def signed(server, body, service="sts", key=None, token=None):
    key_id, secret = key or server.profile()
    request = botocore.awsrequest.AWSRequest(
        method="POST", url=server.endpoint + "/", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    credentials = botocore.credentials.Credentials(key_id, secret, token)
    botocore.auth.SigV4Auth(credentials, service, "us-east-1").add_auth(request)
    return request


def error_code(body):
    root = ET.fromstring(body)
    code = root.find(f"{NS}Error/{NS}Code")
    if code is None:
        code = root.find("Error/Code")
    return code.text


def query_error(body):
    root = ET.fromstring(body)
    error = root.find(f"{NS}Error")
    return error.find(f"{NS}Type").text, error.find(f"{NS}Code").text, error.find(f"{NS}Message").text


def test_wrong_secret_is_signature_does_not_match(server):
    key_id, _ = server.profile()
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        server.client("sts", key_id, "x" * 40).get_caller_identity()
    assert excinfo.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_unknown_key_is_invalid_client_token_id(server):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        server.client("sts", "AKIAUNKNOWNUNKNOWN00", "x" * 40).get_caller_identity()
    assert excinfo.value.response["Error"]["Code"] == "InvalidClientTokenId"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_unsigned_request_is_missing_authentication_token(server):
    request = urllib.request.Request(
        server.endpoint + "/", data=b"Action=GetCallerIdentity&Version=2011-06-15", method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=10)
    assert excinfo.value.code == 403
    assert error_code(excinfo.value.read().decode()) == "MissingAuthenticationToken"


def test_authorization_without_signature_is_incomplete(server):
    request = signed(server, "Action=GetCallerIdentity&Version=2011-06-15")
    header = request.headers["Authorization"]
    request.headers.replace_header("Authorization", header.split(", Signature=")[0])
    status, body = send(request)
    assert status == 400
    assert error_code(body) == "IncompleteSignature"


def test_tampered_body_is_signature_does_not_match(server):
    request = signed(server, "Action=GetCallerIdentity&Version=2011-06-15")
    status, body = send(request, body=b"Action=GetCallerIdentity&Version=2011-06-15&X=1")
    assert status == 403 and error_code(body) == "SignatureDoesNotMatch"


def test_signature_outside_the_skew_window_is_request_expired(server, monkeypatch):
    # botocore's own signer, with its clock set back (with awscrt installed the clients sign
    # with the CRT, whose clock cannot be moved).
    stale = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: stale)
    status, body = send(signed(server, "Action=GetCallerIdentity&Version=2011-06-15"))
    assert status == 400 and error_code(body) == "RequestExpired"


def presigned(server, expires):
    key_id, secret = server.profile()
    request = botocore.awsrequest.AWSRequest(
        method="GET", url=server.endpoint + "/?Action=GetCallerIdentity&Version=2011-06-15"
    )
    credentials = botocore.credentials.Credentials(key_id, secret)
    botocore.auth.SigV4QueryAuth(credentials, "sts", "us-east-1", expires=expires).add_auth(request)
    return request.url


def test_presigned_query_string(server, monkeypatch):
    url = server.client("sts").generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    assert "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as response:
        root = ET.fromstring(response.read())
    assert root.find(f"{NS}GetCallerIdentityResult/{NS}Arn").text == "arn:aws:iam::000000000000:root"
    with urllib.request.urlopen(presigned(server, 60), timeout=10) as response:
        assert response.status == 200
    earlier = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=5)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *a, **k: earlier)
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(presigned(server, 60), timeout=10)
    assert error_code(excinfo.value.read().decode()) == "RequestExpired"


def test_query_envelopes_for_bad_input(server):
    status, body = send(signed(server, "Action=NoSuchThing&Version=2011-06-15"))
    assert status == 400 and query_error(body)[:2] == ("Sender", "InvalidAction")
    status, body = send(signed(server, "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fx"))
    kind, code, message = query_error(body)
    assert status == 400 and code == "ValidationError" and "'roleSessionName'" in message
    status, body = send(signed(server, "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=soon"))
    kind, code, message = query_error(body)
    assert status == 400 and code == "ValidationError" and "soon" in message
    root = ET.fromstring(body)
    assert root.find(f"{NS}RequestId").text


def test_unserved_operations_answer_aws_unsupported_errors(server):
    result = server.cli("sns", "list-platform-applications", check=False)
    assert result.returncode != 0 and "InvalidAction" in result.stderr
    result = server.cli("cloudtrail", "list-channels", check=False)
    assert result.returncode != 0 and "UnknownOperationException" in result.stderr
