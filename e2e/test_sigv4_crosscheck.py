"""Cross-checks the server's SigV4 verifier against botocore's signer on random requests,
and against one-byte mutations of them."""

import random
import string
import urllib.parse

import botocore.auth
import botocore.awsrequest
import botocore.credentials

from test_sigv4 import error_code, send

ALPHABET = string.ascii_letters + string.digits + " -_.~!*'()/+=&%é"


def random_text(rng, longest=12):
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, longest)))


def random_request(server, rng):
    """A GetCallerIdentity call with random extra query parameters, headers and body fields."""
    key_id, secret = server.profile()
    query = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")]
    query += [(f"Q{random_text(rng, 5)}", random_text(rng)) for _ in range(rng.randint(0, 4))]
    method = rng.choice(["GET", "POST"])
    body = None
    if method == "POST":
        fields = [(f"Extra{i}", random_text(rng)) for i in range(rng.randint(0, 3))]
        body = urllib.parse.urlencode(fields).encode()
    url = server.endpoint + "/?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    for i in range(rng.randint(0, 3)):
        headers[f"X-Random-{i}"] = "  " + random_text(rng).replace("é", "e").strip() + "   tail  "
    request = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers=headers)
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(key_id, secret), "sts", "us-east-1").add_auth(request)
    return request.prepare()


def test_random_botocore_signed_requests_verify(server):
    rng = random.Random(20261127)
    for _ in range(150):
        request = random_request(server, rng)
        status, body = send(request)
        assert status == 200, (request.url, dict(request.headers), body)


def test_mutated_requests_do_not_verify(server):
    rng = random.Random(7)
    for _ in range(60):
        request = random_request(server, rng)
        part = rng.choice(["query", "header", "body"])
        if part == "query":
            request.url += "&Mutated=1"
        elif part == "header":
            name = rng.choice([n for n in request.headers if n.lower() in ("x-amz-date", "host", "content-type")])
            request.headers[name] = request.headers[name] + "0"
        else:
            tampered = (request.body or b"") + (b"&" if request.body else b"") + b"Mutated=1"
            request.headers.pop("Content-Length", None)
            status, body = send(request, body=tampered)
            assert status == 403 and error_code(body) == "SignatureDoesNotMatch", body
            continue
        status, body = send(request)
        assert status in (400, 403), (part, request.url, body)
        assert error_code(body) in ("SignatureDoesNotMatch", "IncompleteSignature", "RequestExpired"), body
