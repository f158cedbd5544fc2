"""Managed policies (customer and AWS), groups and permissions boundaries with boto3: what the
IAM API answers, and what the gateway then allows and refuses."""

import json

import pytest

DESCRIBE_ONLY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "elasticache:Describe*", "Resource": "*"}]}
ALL_ELASTICACHE = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "elasticache:*", "Resource": "*"}]}


def user_client(srv, iam, name, service="elasticache"):
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return srv.client(service, key_id=key["AccessKeyId"], secret=key["SecretAccessKey"])


def second_client(srv, iam, name, service):
    """A client of another service for a user that already has a key: a second key."""
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return srv.client(service, key_id=key["AccessKeyId"], secret=key["SecretAccessKey"])


def denied_message(call):
    with pytest.raises(Exception) as raised:
        call()
    assert raised.value.response["Error"]["Code"] == "AccessDenied"
    return raised.value.response["Error"]["Message"]


def test_customer_policy_versions(fresh_server):
    srv = fresh_server()
    iam = srv.client("iam")
    policy = iam.create_policy(PolicyName="ops", PolicyDocument=json.dumps(DESCRIBE_ONLY),
                               Description="read caches")["Policy"]
    assert policy["Arn"] == "arn:aws:iam::000000000000:policy/ops" and policy["DefaultVersionId"] == "v1"
    assert policy["PolicyId"].startswith("ANPA") and "Description" not in policy
    assert iam.get_policy(PolicyArn=policy["Arn"])["Policy"]["Description"] == "read caches"
    for _ in range(4):
        iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=json.dumps(ALL_ELASTICACHE))
    with pytest.raises(iam.exceptions.LimitExceededException):
        iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=json.dumps(ALL_ELASTICACHE))
    iam.set_default_policy_version(PolicyArn=policy["Arn"], VersionId="v3")
    versions = iam.list_policy_versions(PolicyArn=policy["Arn"])["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    assert [v["IsDefaultVersion"] for v in versions].count(True) == 1
    document = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v3")["PolicyVersion"]["Document"]
    assert document == ALL_ELASTICACHE  # botocore decodes IAM's URL-encoded documents
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_policy_version(PolicyArn=policy["Arn"], VersionId="v3")
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_policy(PolicyArn=policy["Arn"])  # versions first
    for version in ["v1", "v2", "v4", "v5"]:
        iam.delete_policy_version(PolicyArn=policy["Arn"], VersionId=version)
    iam.create_user(UserName="u")
    iam.attach_user_policy(UserName="u", PolicyArn=policy["Arn"])
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_policy(PolicyArn=policy["Arn"])  # attached
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_user(UserName="u")
    iam.detach_user_policy(UserName="u", PolicyArn=policy["Arn"])
    iam.delete_policy(PolicyArn=policy["Arn"])
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_policy(PolicyArn=policy["Arn"])


def test_attached_and_group_policies_decide_what_a_user_may_do(fresh_server):
    srv = fresh_server()
    iam = srv.client("iam")
    elasticache = user_client(srv, iam, "alice")
    denied_message(elasticache.describe_cache_clusters)
    aws_read = "arn:aws:iam::aws:policy/AmazonElastiCacheReadOnlyAccess"
    listed = {p["Arn"] for p in iam.list_policies(Scope="AWS")["Policies"]}
    assert {aws_read, "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws:iam::aws:policy/AWSCloudTrail_ReadOnlyAccess"} <= listed
    iam.attach_user_policy(UserName="alice", PolicyArn=aws_read)
    assert iam.list_attached_user_policies(UserName="alice")["AttachedPolicies"] == [
        {"PolicyName": "AmazonElastiCacheReadOnlyAccess", "PolicyArn": aws_read}]
    assert iam.get_policy(PolicyArn=aws_read)["Policy"]["AttachmentCount"] == 1
    elasticache.describe_cache_clusters()
    message = denied_message(lambda: elasticache.create_cache_cluster(
        CacheClusterId="c1", Engine="memcached", CacheNodeType="cache.t4g.micro", NumCacheNodes=1))
    assert "because no identity-based policy allows the elasticache:CreateCacheCluster action" in message
    iam.detach_user_policy(UserName="alice", PolicyArn=aws_read)
    denied_message(elasticache.describe_cache_clusters)

    # A group's policies apply to its members.
    iam.create_group(GroupName="cache-admins")
    iam.add_user_to_group(GroupName="cache-admins", UserName="alice")
    iam.put_group_policy(GroupName="cache-admins", PolicyName="all", PolicyDocument=json.dumps(ALL_ELASTICACHE))
    elasticache.create_cache_cluster(
        CacheClusterId="c1", Engine="memcached", CacheNodeType="cache.t4g.micro", NumCacheNodes=1)
    group = iam.get_group(GroupName="cache-admins")
    assert [u["UserName"] for u in group["Users"]] == ["alice"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="alice")["Groups"]] == ["cache-admins"]
    with pytest.raises(iam.exceptions.DeleteConflictException):
        iam.delete_group(GroupName="cache-admins")
    iam.remove_user_from_group(GroupName="cache-admins", UserName="alice")
    denied_message(elasticache.describe_cache_clusters)


def test_a_permissions_boundary_caps_an_administrator(fresh_server):
    srv = fresh_server()
    iam = srv.client("iam")
    elasticache = user_client(srv, iam, "bob")
    iam.attach_user_policy(UserName="bob", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    cap = iam.create_policy(PolicyName="cap", PolicyDocument=json.dumps(DESCRIBE_ONLY))["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName="bob", PermissionsBoundary=cap)
    assert iam.get_user(UserName="bob")["User"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": cap}
    assert iam.get_policy(PolicyArn=cap)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    elasticache.describe_cache_clusters()
    message = denied_message(lambda: elasticache.create_cache_cluster(
        CacheClusterId="c1", Engine="memcached", CacheNodeType="cache.t4g.micro", NumCacheNodes=1))
    assert message.endswith("because no permissions boundary allows the elasticache:CreateCacheCluster action")
    # The refusal is recorded with the same words.
    found = srv.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateCacheCluster"}])["Events"]
    record = json.loads(found[0]["CloudTrailEvent"])
    assert record["errorCode"] == "AccessDenied" and record["errorMessage"] == message
    iam.delete_user_permissions_boundary(UserName="bob")
    elasticache.create_cache_cluster(
        CacheClusterId="c1", Engine="memcached", CacheNodeType="cache.t4g.micro", NumCacheNodes=1)
    attach = srv.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "AttachUserPolicy"}])["Events"]
    assert json.loads(attach[0]["CloudTrailEvent"])["requestParameters"] == {
        "userName": "bob", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}


SWEEP_POLICIES = {
    "describe-only": ([DESCRIBE_ONLY], None),
    "deny-deletes": ([{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "elasticache:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "elasticache:Delete*", "Resource": "*"}]}], None),
    "admin-capped": ([{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}], DESCRIBE_ONLY),
    "nothing": ([], None),
}


def sweep_calls(elasticache, index):
    cluster = f"sweep-{index}"
    return {
        "elasticache:DescribeCacheClusters": lambda: elasticache.describe_cache_clusters(),
        "elasticache:CreateCacheCluster": lambda: elasticache.create_cache_cluster(
            CacheClusterId=cluster, Engine="memcached", CacheNodeType="cache.t4g.micro", NumCacheNodes=1),
        "elasticache:DeleteCacheCluster": lambda: elasticache.delete_cache_cluster(CacheClusterId="keep"),
        "elasticache:DescribeEvents": lambda: elasticache.describe_events(),
    }


def test_the_simulator_agrees_with_the_gateway(fresh_server):
    srv = fresh_server()
    iam = srv.client("iam")
    srv.client("elasticache").create_cache_cluster(
        CacheClusterId="keep", Engine="memcached", CacheNodeType="cache.t4g.micro", NumCacheNodes=1)
    compared = 0
    for index, (name, (policies, boundary)) in enumerate(SWEEP_POLICIES.items()):
        elasticache = user_client(srv, iam, name)
        for number, policy in enumerate(policies):
            iam.put_user_policy(UserName=name, PolicyName=f"p{number}", PolicyDocument=json.dumps(policy))
        if boundary:
            arn = iam.create_policy(PolicyName=f"cap-{name}", PolicyDocument=json.dumps(boundary))["Policy"]["Arn"]
            iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=arn)
        calls = sweep_calls(elasticache, index)
        results = iam.simulate_principal_policy(
            PolicySourceArn=f"arn:aws:iam::000000000000:user/{name}", ActionNames=list(calls))["EvaluationResults"]
        for result in results:
            try:
                calls[result["EvalActionName"]]()
                allowed = True
            except elasticache.exceptions.ClientError as error:
                allowed = error.response["Error"]["Code"] != "AccessDenied"
            assert (result["EvalDecision"] == "allowed") == allowed, (name, result)
            if boundary:
                assert "PermissionsBoundaryDecisionDetail" in result
            compared += 1
    assert compared == 16
    # A custom policy: the statement that matched, and the condition key the request lacked.
    custom = iam.simulate_custom_policy(
        PolicyInputList=[json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "elasticache:CreateCacheCluster", "Resource": "*",
             "Condition": {"StringLike": {"elasticache:CacheNodeType": "cache.t4g.*"}}}]})],
        ActionNames=["elasticache:CreateCacheCluster"])["EvaluationResults"][0]
    assert custom["EvalDecision"] == "implicitDeny"
    assert custom["MissingContextValues"] == ["elasticache:CacheNodeType"]
    allowed = iam.simulate_custom_policy(
        PolicyInputList=[json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "elasticache:CreateCacheCluster", "Resource": "*",
             "Condition": {"StringLike": {"elasticache:CacheNodeType": "cache.t4g.*"}}}]})],
        ActionNames=["elasticache:CreateCacheCluster"],
        ContextEntries=[{"ContextKeyName": "elasticache:CacheNodeType", "ContextKeyValues": ["cache.t4g.micro"],
                         "ContextKeyType": "string"}])["EvaluationResults"][0]
    assert allowed["EvalDecision"] == "allowed"
    assert allowed["MatchedStatements"] == [{"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "none"}]


def test_principal_tags_are_condition_keys_and_iam_actions_name_their_resource(fresh_server):
    srv = fresh_server()
    iam = srv.client("iam")
    elasticache = user_client(srv, iam, "erin")
    iam.tag_user(UserName="erin", Tags=[{"Key": "team", "Value": "cache"}])
    assert iam.list_user_tags(UserName="erin")["Tags"] == [{"Key": "team", "Value": "cache"}]
    assert iam.get_user(UserName="erin")["User"]["Tags"] == [{"Key": "team", "Value": "cache"}]
    iam.put_user_policy(UserName="erin", PolicyName="by-team", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "elasticache:Describe*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "cache"}}}]}))
    elasticache.describe_cache_clusters()
    iam.tag_user(UserName="erin", Tags=[{"Key": "team", "Value": "web"}])
    denied_message(elasticache.describe_cache_clusters)
    iam.untag_user(UserName="erin", TagKeys=["team"])
    assert iam.list_user_tags(UserName="erin")["Tags"] == []

    # IAM actions on groups and policies are authorized on the group's and the policy's ARN.
    erin_iam = second_client(srv, iam, "erin", "iam")
    iam.put_user_policy(UserName="erin", PolicyName="groups", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["iam:CreateGroup", "iam:CreatePolicy"],
            "Resource": ["arn:aws:iam::000000000000:group/team-*", "arn:aws:iam::000000000000:policy/team-*"]}]}))
    erin_iam.create_group(GroupName="team-a")
    erin_iam.create_policy(PolicyName="team-p", PolicyDocument=json.dumps(DESCRIBE_ONLY))
    message = denied_message(lambda: erin_iam.create_group(GroupName="other"))
    assert "on resource: arn:aws:iam::000000000000:group/other" in message
    message = denied_message(lambda: erin_iam.create_policy(PolicyName="other", PolicyDocument=json.dumps(DESCRIBE_ONLY)))
    assert "on resource: arn:aws:iam::000000000000:policy/other" in message
    events = srv.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "ResourceType", "AttributeValue": "AWS::IAM::Group"}])["Events"]
    assert {e["EventName"] for e in events} == {"CreateGroup"}


def test_sessions_carry_multi_factor_auth_present_false(fresh_server):
    srv = fresh_server()
    iam = srv.client("iam")
    iam.create_user(UserName="fay")
    key = iam.create_access_key(UserName="fay")["AccessKey"]
    iam.put_user_policy(UserName="fay", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:GetSessionToken", "Resource": "*"},
            {"Effect": "Allow", "Action": "elasticache:Describe*", "Resource": "*",
             "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]}))
    long_term = srv.client("elasticache", key_id=key["AccessKeyId"], secret=key["SecretAccessKey"])
    denied_message(long_term.describe_cache_clusters)  # the key is absent for long-term keys
    session = srv.client("sts", key_id=key["AccessKeyId"], secret=key["SecretAccessKey"]).get_session_token()
    credentials = session["Credentials"]
    srv.client("elasticache", key_id=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"],
               token=credentials["SessionToken"]).describe_cache_clusters()


def test_session_policies_by_arn_cap_an_assumed_role(fresh_server):
    srv = fresh_server()
    iam = srv.client("iam")
    role = iam.create_role(RoleName="admin", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "000000000000"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]
    iam.attach_role_policy(RoleName="admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    credentials = srv.client("sts").assume_role(
        RoleArn=role["Arn"], RoleSessionName="capped",
        PolicyArns=[{"arn": "arn:aws:iam::aws:policy/AmazonElastiCacheReadOnlyAccess"}])["Credentials"]
    capped = srv.client("elasticache", key_id=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"],
                        token=credentials["SessionToken"])
    capped.describe_cache_clusters()
    message = denied_message(lambda: capped.create_cache_cluster(
        CacheClusterId="c1", Engine="memcached", CacheNodeType="cache.t4g.micro", NumCacheNodes=1))
    assert message.endswith("because no session policy allows the elasticache:CreateCacheCluster action")
