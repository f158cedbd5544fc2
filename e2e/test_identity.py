"""IAM users, keys, inline policies, STS sessions and authorization, end to end."""

import json
import uuid

import botocore.exceptions
import pytest

ALLOW_STS_AND_LIST_USERS = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["iam:ListUsers", "iam:GetUser", "sts:AssumeRole", "sts:GetFederationToken"], "Resource": "*"}],
})


def error_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def make_user(server, policy=None):
    """An IAM user with an access key (and an inline policy); returns (name, key id, secret)."""
    iam = server.client("iam")
    name = f"user-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    if policy:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy)
    return name, key["AccessKeyId"], key["SecretAccessKey"]


def test_user_with_key_and_inline_policy_via_cli(server):
    name = f"cli-{uuid.uuid4().hex[:8]}"
    created = server.cli("iam", "create-user", "--user-name", name)["User"]
    assert created["Arn"] == f"arn:aws:iam::000000000000:user/{name}"
    assert created["UserId"].startswith("AIDA") and len(created["UserId"]) == 21
    key = server.cli("iam", "create-access-key", "--user-name", name)["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["SecretAccessKey"]) == 40
    server.cli("iam", "put-user-policy", "--user-name", name, "--policy-name", "p", "--policy-document", ALLOW_STS_AND_LIST_USERS)
    got = server.cli("iam", "get-user-policy", "--user-name", name, "--policy-name", "p")
    assert got["PolicyDocument"] == json.loads(ALLOW_STS_AND_LIST_USERS)
    env = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    identity = server.cli("sts", "get-caller-identity", env=env)
    assert identity == {"UserId": created["UserId"], "Account": "000000000000", "Arn": created["Arn"]}
    assert any(u["UserName"] == name for u in server.cli("iam", "list-users", env=env)["Users"])
    keys = server.cli("iam", "list-access-keys", "--user-name", name)["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [key["AccessKeyId"]]


def test_access_denied_names_the_caller_action_and_resource(server):
    name, key_id, secret = make_user(server)
    iam = server.client("iam", key_id, secret)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        iam.create_user(UserName="not-allowed")
    code, message = error_of(excinfo)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert code == "AccessDenied"
    assert message.startswith(
        f"User: arn:aws:iam::000000000000:user/{name} is not authorized to perform: iam:CreateUser "
        "on resource: arn:aws:iam::000000000000:user/not-allowed"
    )
    # GetCallerIdentity needs no permission at all.
    assert server.client("sts", key_id, secret).get_caller_identity()["Arn"].endswith(f"user/{name}")


def test_explicit_deny_wins(server):
    deny = json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:List*", "Resource": "*"},
        ],
    })
    _, key_id, secret = make_user(server, deny)
    iam = server.client("iam", key_id, secret)
    iam.get_user()
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        iam.list_users()
    code, message = error_of(excinfo)
    assert code == "AccessDenied" and "explicit deny" in message


def test_inactive_and_deleted_keys_are_refused(server):
    name, key_id, secret = make_user(server, ALLOW_STS_AND_LIST_USERS)
    root = server.client("iam")
    root.update_access_key(UserName=name, AccessKeyId=key_id, Status="Inactive")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        server.client("sts", key_id, secret).get_caller_identity()
    assert error_of(excinfo)[0] == "InvalidClientTokenId"
    root.delete_access_key(UserName=name, AccessKeyId=key_id)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        root.delete_user(UserName=name)
    assert error_of(excinfo)[0] == "DeleteConflict"
    root.delete_user_policy(UserName=name, PolicyName="inline")
    root.delete_user(UserName=name)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        root.get_user(UserName=name)
    assert error_of(excinfo)[0] == "NoSuchEntity"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def trust_policy(principal_arn):
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal_arn}, "Action": "sts:AssumeRole"}],
    })


def test_assume_role_and_the_assumed_identity(server):
    name, key_id, secret = make_user(server)
    iam = server.client("iam")
    role_name = f"role-{uuid.uuid4().hex[:8]}"
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=trust_policy(f"arn:aws:iam::000000000000:user/{name}"))["Role"]
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"].endswith(name)
    iam.put_role_policy(
        RoleName=role_name, PolicyName="list",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}]}),
    )
    # The trust policy names the user itself, so no identity policy is needed in the same account.
    assumed = server.client("sts", key_id, secret).assume_role(RoleArn=role["Arn"], RoleSessionName="audit", DurationSeconds=900)
    creds = assumed["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and creds["SessionToken"]
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::000000000000:assumed-role/{role_name}/audit"
    assert assumed["AssumedRoleUser"]["AssumedRoleId"] == f"{role['RoleId']}:audit"
    session = dict(key_id=creds["AccessKeyId"], secret=creds["SecretAccessKey"], token=creds["SessionToken"])
    identity = server.client("sts", **session).get_caller_identity()
    assert identity["Arn"] == assumed["AssumedRoleUser"]["Arn"]
    assert identity["UserId"] == f"{role['RoleId']}:audit"
    # The role's policy applies to the session: ListRoles is allowed, ListUsers is not.
    session_iam = server.client("iam", **session)
    assert any(r["RoleName"] == role_name for r in session_iam.list_roles()["Roles"])
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        session_iam.list_users()
    code, message = error_of(excinfo)
    assert code == "AccessDenied" and f"assumed-role/{role_name}/audit is not authorized to perform: iam:ListUsers" in message
    # Without its session token the key is refused; after expiry the token is refused.
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        server.client("sts", creds["AccessKeyId"], creds["SecretAccessKey"]).get_caller_identity()
    assert error_of(excinfo)[0] == "InvalidClientTokenId"
    server.advance(901)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        server.client("sts", **session).get_caller_identity()
    assert error_of(excinfo)[0] == "ExpiredToken"


def test_assume_role_refused_when_trust_does_not_name_the_caller(server):
    _, key_id, secret = make_user(server, ALLOW_STS_AND_LIST_USERS)
    iam = server.client("iam")
    role_name = f"role-{uuid.uuid4().hex[:8]}"
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=trust_policy("arn:aws:iam::999999999999:root"))["Role"]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        server.client("sts", key_id, secret).assume_role(RoleArn=role["Arn"], RoleSessionName="outsider")
    code, message = error_of(excinfo)
    assert code == "AccessDenied" and f"sts:AssumeRole on resource: {role['Arn']}" in message


def test_session_and_federation_tokens(server):
    name, key_id, secret = make_user(server, ALLOW_STS_AND_LIST_USERS)
    sts = server.client("sts", key_id, secret)
    creds = sts.get_session_token(DurationSeconds=900)["Credentials"]
    as_user = server.client("sts", creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]).get_caller_identity()
    assert as_user["Arn"] == f"arn:aws:iam::000000000000:user/{name}"
    federated = sts.get_federation_token(
        Name="fed-bob",
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}),
    )
    assert federated["FederatedUser"]["Arn"] == "arn:aws:sts::000000000000:federated-user/fed-bob"
    fed = federated["Credentials"]
    fed_iam = server.client("iam", fed["AccessKeyId"], fed["SecretAccessKey"], fed["SessionToken"])
    fed_iam.list_users()
    # GetUser is in the user's policy but not in the session policy: denied.
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        fed_iam.get_user(UserName=name)
    assert error_of(excinfo)[0] == "AccessDenied"


def test_malformed_policies_and_validation(server):
    iam = server.client("iam")
    name, _, _ = make_user(server)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        iam.put_user_policy(UserName=name, PolicyName="bad", PolicyDocument="{not json")
    assert error_of(excinfo)[0] == "MalformedPolicyDocument"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        iam.create_user(UserName="x" * 65)
    code, message = error_of(excinfo)
    assert code == "ValidationError" and "userName" in message and "length less than or equal to 64" in message
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        iam.create_user(UserName=name)
    assert error_of(excinfo)[0] == "EntityAlreadyExists"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
