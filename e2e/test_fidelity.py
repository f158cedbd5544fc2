"""Answers and records as AWS gives them, where they differed (issue: fidelity)."""

import json
import uuid

import botocore.exceptions


def test_empty_optional_elasticache_parameters_are_not_given(server):
    ec = server.client("elasticache")
    name = f"empty-{uuid.uuid4().hex[:6]}"
    # What a widely used provisioning module sends by default.
    created = ec.create_cache_cluster(
        CacheClusterId=name, Engine="redis", CacheNodeType="cache.t4g.small", EngineVersion="",
        CacheParameterGroupName="", NumCacheNodes=1,
    )["CacheCluster"]
    assert created["CacheClusterId"] == name and created["EngineVersion"]


def test_trail_status_and_empty_answers_as_aws_gives_them(server):
    s3 = server.client("s3")
    bucket = f"fidelity-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    from test_delivery import trail_policy

    s3.put_bucket_policy(Bucket=bucket, Policy=trail_policy(bucket, ["000000000000"]))
    ct = server.client("cloudtrail")
    name = f"fid-{uuid.uuid4().hex[:6]}"
    ct.create_trail(Name=name, S3BucketName=bucket)
    status = ct.get_trail_status(Name=name)
    for field in ("LatestDeliveryAttemptTime", "LatestNotificationAttemptTime", "TimeLoggingStarted",
                  "TimeLoggingStopped", "LatestDeliveryAttemptSucceeded", "LatestNotificationAttemptSucceeded"):
        assert status[field] == "", field
    started = ct.start_logging(Name=name)["ResponseMetadata"]["RequestId"]
    events = ct.lookup_events(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "StartLogging"}])
    record = next(json.loads(e["CloudTrailEvent"]) for e in events["Events"]
                  if json.loads(e["CloudTrailEvent"])["requestID"] == started)
    assert record["responseElements"] is None
    ct.delete_trail(Name=name)


def signed(server, service, url, headers, body):
    """A request signed with the default profile's credentials, as botocore signs it."""
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
    import urllib.request

    key_id, secret = server.profile()
    request = botocore.awsrequest.AWSRequest(method="POST", url=url, data=body, headers=headers)
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(key_id, secret), service, "us-east-1").add_auth(request)
    prepared = urllib.request.Request(url, data=body, headers=dict(request.headers.items()), method="POST")
    try:
        with urllib.request.urlopen(prepared, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def test_tagging_answers_rpc_v2_cbor_and_json(server):
    """Current SDKs speak Smithy RPC v2 CBOR to the Resource Groups Tagging API; older ones JSON 1.1."""
    ec = server.client("elasticache")
    name = f"cbor-{uuid.uuid4().hex[:6]}"
    ec.create_cache_cluster(CacheClusterId=name, Engine="redis", CacheNodeType="cache.t4g.small",
                            Tags=[{"Key": "wire", "Value": "cbor"}])
    tagging = server.client("resourcegroupstaggingapi")
    assert tagging.meta.service_model.protocol == "smithy-rpc-v2-cbor"
    found = tagging.get_resources(TagFilters=[{"Key": "wire", "Values": ["cbor"]}])["ResourceTagMappingList"]
    assert [m["ResourceARN"].split(":")[-1] for m in found] == [name]
    assert found[0]["Tags"] == [{"Key": "wire", "Value": "cbor"}]

    url = f"{server.endpoint}/service/ResourceGroupsTaggingAPI_20170126/operation/GetResources"
    headers = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Accept": "application/cbor"}
    status, answer_headers, body = signed(server, "tagging", url, headers, b"\x82\x01")  # an array cut short
    assert status == 400 and answer_headers["smithy-protocol"] == "rpc-v2-cbor"
    assert answer_headers["content-type"] == "application/cbor"
    assert b"SerializationException" in body

    status, _, body = signed(
        server, "tagging", f"{server.endpoint}/",
        {"X-Amz-Target": "ResourceGroupsTaggingAPI_20170126.GetResources",
         "Content-Type": "application/x-amz-json-1.1"},
        json.dumps({"TagFilters": [{"Key": "wire", "Values": ["cbor"]}]}).encode())
    assert status == 200
    assert [m["ResourceARN"].split(":")[-1] for m in json.loads(body)["ResourceTagMappingList"]] == [name]


def test_the_newest_api_serverless_migration_and_durability(server):
    """botocore 1.44's ElastiCache: PrepareMigration/StopMigration for serverless caches, Durability."""
    import botocore.exceptions
    import pytest

    ec = server.client("elasticache")
    name = f"mig-{uuid.uuid4().hex[:6]}"
    cache = ec.create_serverless_cache(ServerlessCacheName=name, Engine="valkey")["ServerlessCache"]
    assert cache["ConnectionType"] == "vpc" and cache["StorageEncryptionType"] == "sse-elasticache"
    server.advance(10)

    def refused(code, call, **kwargs):
        with pytest.raises(botocore.exceptions.ClientError) as raised:
            call(**kwargs)
        assert raised.value.response["Error"]["Code"] == code, raised.value.response

    refused("ServerlessCacheNotUnderMigrationFault", ec.start_migration, ServerlessCacheName=name)
    refused("InvalidParameterValue", ec.prepare_migration, ServerlessCacheName=name, CustomerNodeEndpointList=[])
    source = [{"Address": "10.0.0.9", "Port": 6379}]
    prepared = ec.prepare_migration(ServerlessCacheName=name, CustomerNodeEndpointList=source)["ServerlessCache"]
    assert prepared["Migration"]["Status"] == "prepared"
    assert prepared["Migration"]["MigrationEndpoint"] == prepared["Endpoint"]
    refused("ServerlessCacheAlreadyUnderMigrationFault", ec.prepare_migration, ServerlessCacheName=name,
            CustomerNodeEndpointList=source)
    refused("InvalidParameterCombination", ec.start_migration, ServerlessCacheName=name,
            ReplicationGroupId="other")
    started = ec.start_migration(ServerlessCacheName=name, AutoCutover=True)["ServerlessCache"]["Migration"]
    assert started == {**started, "Status": "syncing", "CutoverMode": "auto"}
    assert ec.stop_migration(ServerlessCacheName=name)["ServerlessCache"]["Migration"]["Status"] == "stopped"
    refused("InvalidServerlessCacheStateFault", ec.stop_migration, ServerlessCacheName=name)
    refused("InvalidParameterValue", ec.start_migration, ServerlessCacheName=name)  # ClearTargetCacheData needed
    refused("MigrationHealthFault", ec.complete_migration, ServerlessCacheName=name)
    ec.start_migration(ServerlessCacheName=name, ClearTargetCacheData=True)
    done = ec.complete_migration(ServerlessCacheName=name)["ServerlessCache"]["Migration"]
    assert done["Status"] == "completed"
    refused("ServerlessCacheNotUnderMigrationFault", ec.stop_migration, ServerlessCacheName=name)
    refused("InvalidParameterCombination", ec.create_serverless_cache, ServerlessCacheName=f"{name}-pub",
            Engine="valkey", ConnectionType="public")

    group = f"dur-{uuid.uuid4().hex[:6]}"
    refused("InvalidParameterCombination", ec.create_replication_group, ReplicationGroupId=group,
            ReplicationGroupDescription="d", Engine="valkey", EngineVersion="8.0.1", CacheNodeType="cache.r7g.large",
            NumCacheClusters=2, Durability="sync")
    created = ec.create_replication_group(
        ReplicationGroupId=group, ReplicationGroupDescription="d", Engine="valkey", EngineVersion="9.0.0",
        CacheNodeType="cache.r7g.large", NumCacheClusters=2, Durability="sync")["ReplicationGroup"]
    assert (created["Durability"], created["EffectiveDurability"]) == ("sync", "sync")
    assert created["AtRestEncryptionEnabled"] and created["StorageEncryptionType"] == "sse-elasticache"
    server.advance(10)
    refused("InvalidParameterCombination", ec.modify_replication_group, ReplicationGroupId=group,
            Durability="disabled", ApplyImmediately=True)
    modified = ec.modify_replication_group(ReplicationGroupId=group, Durability="async", ApplyImmediately=True)
    assert modified["ReplicationGroup"]["EffectiveDurability"] == "async"
    server.advance(10)
    snapshot = ec.create_snapshot(ReplicationGroupId=group, SnapshotName=f"{group}-s")["Snapshot"]
    assert snapshot["Durability"] == "async"
    plain = ec.create_replication_group(
        ReplicationGroupId=f"{group}-p", ReplicationGroupDescription="d", Engine="redis",
        CacheNodeType="cache.t4g.small", NumCacheClusters=1)["ReplicationGroup"]
    assert plain["EffectiveDurability"] == "disabled" and plain["StorageEncryptionType"] == "none"


def test_global_datastores_take_tags(server):
    ec = server.client("elasticache")
    group = f"gtag-{uuid.uuid4().hex[:6]}"
    ec.create_replication_group(ReplicationGroupId=group, ReplicationGroupDescription="d", Engine="redis",
                                CacheNodeType="cache.r6g.large", NumCacheClusters=1)
    server.advance(10)
    created = ec.create_global_replication_group(
        GlobalReplicationGroupIdSuffix=group, PrimaryReplicationGroupId=group,
        Tags=[{"Key": "team", "Value": "cache"}])["GlobalReplicationGroup"]
    arn = created["ARN"]
    assert arn.startswith("arn:aws:elasticache::000000000000:globalreplicationgroup:")
    assert ec.list_tags_for_resource(ResourceName=arn)["TagList"] == [{"Key": "team", "Value": "cache"}]
    ec.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "tier", "Value": "gold"}])
    ec.remove_tags_from_resource(ResourceName=arn, TagKeys=["team"])
    assert ec.list_tags_for_resource(ResourceName=arn)["TagList"] == [{"Key": "tier", "Value": "gold"}]


def test_session_tokens_report_their_size_and_honour_a_minimum(server):
    iam = server.client("iam")
    user = f"tok-{uuid.uuid4().hex[:6]}"
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    as_user = server.client("sts", key_id=key["AccessKeyId"], secret=key["SecretAccessKey"])
    plain = as_user.get_session_token()
    token = plain["Credentials"]["SessionToken"]
    assert plain["SessionTokenSize"] == len(token.encode())
    assert plain["SessionTokenUtilization"] == plain["SessionTokenSize"] * 100 // 4096
    padded = as_user.get_session_token(MinimumSessionTokenSize=2048)
    assert padded["SessionTokenSize"] >= 2048 and len(padded["Credentials"]["SessionToken"]) >= 2048
    assert padded["SessionTokenUtilization"] == padded["SessionTokenSize"] * 100 // 4096
    # The padded token works.
    session = server.client("sts", key_id=padded["Credentials"]["AccessKeyId"],
                            secret=padded["Credentials"]["SecretAccessKey"],
                            token=padded["Credentials"]["SessionToken"])
    assert session.get_caller_identity()["Arn"].endswith(f":user/{user}")


def test_dates_have_the_precision_each_service_answers(server):
    """IAM and STS dates have whole seconds (AWS's current examples); ElastiCache's milliseconds."""
    import re

    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    server.client("iam").create_user(UserName=f"dates-{uuid.uuid4().hex[:6]}")
    _, _, iam = signed(server, "iam", f"{server.endpoint}/", form, b"Action=ListUsers&Version=2010-05-08")
    created = re.findall(rb"<CreateDate>([^<]+)</CreateDate>", iam)
    assert created and all(re.fullmatch(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", d) for d in created), created
    server.client("elasticache").create_cache_cluster(
        CacheClusterId=f"dates-{uuid.uuid4().hex[:6]}", Engine="redis", CacheNodeType="cache.t4g.small")
    server.advance(10)
    _, _, ec = signed(server, "elasticache", f"{server.endpoint}/", form,
                      b"Action=DescribeCacheClusters&Version=2015-02-02")
    times = re.findall(rb"<CacheClusterCreateTime>([^<]+)</CacheClusterCreateTime>", ec)
    assert times and all(re.fullmatch(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", t) for t in times), times


def test_user_authentication_inputs_are_refused_in_awss_words(server):
    """CreateUser's authentication checks, with the messages AWS answers (a peer emulator's
    suite, pointed at this server, compared them); a deleted user is described as deleting."""
    import botocore.exceptions
    import pytest

    ec = server.client("elasticache")
    uid = f"u-{uuid.uuid4().hex[:6]}"
    base = {"UserId": uid, "UserName": uid, "Engine": "redis", "AccessString": "on ~* +@all"}

    def refused(**kwargs):
        with pytest.raises(botocore.exceptions.ClientError) as raised:
            ec.create_user(**base, **kwargs)
        return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]

    assert refused() == (
        "InvalidParameterValue",
        "Input Authentication type: null is not in the allowed list: [password,no-password-required,iam]")
    assert refused(Passwords=["short"]) == (
        "InvalidParameterValue", "Passwords length must be between 16-128 characters.")
    assert refused(AuthenticationMode={"Type": "iam"}, Passwords=["a-long-enough-password"]) == (
        "InvalidParameterCombination", "Password field is not allowed with authentication type: iam")
    assert refused(AuthenticationMode={"Type": "password", "Passwords": ["a-long-enough-password"]},
                   Passwords=["another-long-password"]) == (
        "InvalidParameterCombination", "Passwords provided via multiple arguments. Use only one argument")
    assert refused(AuthenticationMode={"Type": "password"}) == (
        "InvalidParameterCombination", "A user with Authentication Mode: password, must have at least one password")
    assert refused(NoPasswordRequired=True, AuthenticationMode={"Type": "iam"}) == (
        "InvalidParameterCombination", "No password required flag is true but provided authentication type is iam")

    ec.create_user(**base, Passwords=["a-long-enough-password"])
    assert ec.delete_user(UserId=uid)["Status"] == "deleting"
    assert ec.describe_users(UserId=uid)["Users"][0]["Status"] == "deleting"
    server.advance(10)
    with pytest.raises(botocore.exceptions.ClientError) as gone:
        ec.describe_users(UserId=uid)
    assert gone.value.response["Error"]["Code"] == "UserNotFound"


def test_log_delivery_configurations_are_kept_and_say_they_cannot_deliver(server):
    """Slow/engine log delivery is kept as asked (provisioning tools send it) and answered in
    state error with why: CloudWatch Logs and Kinesis Data Firehose are not served here."""
    import botocore.exceptions
    import pytest

    ec = server.client("elasticache")
    group_id = f"logs-{uuid.uuid4().hex[:6]}"
    slow = {"LogType": "slow-log", "DestinationType": "cloudwatch-logs", "LogFormat": "json",
            "DestinationDetails": {"CloudWatchLogsDetails": {"LogGroup": "/elasticache/slow"}}}
    created = ec.create_replication_group(
        ReplicationGroupId=group_id, ReplicationGroupDescription="d", Engine="redis", CacheNodeType="cache.t4g.small",
        NumCacheClusters=1, LogDeliveryConfigurations=[slow])["ReplicationGroup"]
    [configuration] = created["LogDeliveryConfigurations"]
    assert configuration["LogType"] == "slow-log" and configuration["DestinationDetails"] == slow["DestinationDetails"]
    assert configuration["Status"] == "error" and "not served" in configuration["Message"]
    server.advance(10)
    modified = ec.modify_replication_group(
        ReplicationGroupId=group_id, ApplyImmediately=True,
        LogDeliveryConfigurations=[{"LogType": "slow-log", "Enabled": False}])["ReplicationGroup"]
    assert modified["LogDeliveryConfigurations"] == []
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        ec.create_cache_cluster(CacheClusterId=f"{group_id}-mc", Engine="memcached", CacheNodeType="cache.t4g.small",
                                LogDeliveryConfigurations=[slow])
    assert refused.value.response["Error"]["Code"] == "InvalidParameterCombination"


def test_arns_and_endpoints_name_the_partition_of_their_region(fresh_server):
    """China and GovCloud (US) regions make `arn:aws-cn:` / `arn:aws-us-gov:` ARNs, China's
    endpoints end in `.amazonaws.com.cn`, and the records name the same partition."""
    server = fresh_server()
    ec = server.client("elasticache", region="cn-north-1")
    created = ec.create_cache_cluster(CacheClusterId="china", Engine="memcached", CacheNodeType="cache.t4g.small",
                                      NumCacheNodes=1)["CacheCluster"]
    arn = created["ARN"]
    assert arn == "arn:aws-cn:elasticache:cn-north-1:000000000000:cluster:china"
    ec.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "partition", "Value": "aws-cn"}])
    assert ec.list_tags_for_resource(ResourceName=arn)["TagList"] == [{"Key": "partition", "Value": "aws-cn"}]
    server.advance(600)
    described = ec.describe_cache_clusters(CacheClusterId="china", ShowCacheNodeInfo=True)["CacheClusters"][0]
    assert described["ConfigurationEndpoint"]["Address"].endswith(".cfg.cnn1.cache.amazonaws.com.cn")
    assert described["CacheNodes"][0]["Endpoint"]["Address"].endswith(".cnn1.cache.amazonaws.com.cn")
    # The commercial partition's ARN names nothing in China.
    commercial = server.client("elasticache", region="us-east-1")
    assert commercial.describe_cache_clusters()["CacheClusters"] == []

    assert server.client("sts", region="cn-north-1").get_caller_identity()["Arn"] == \
        "arn:aws-cn:iam::000000000000:root"
    user = server.client("iam", region="us-gov-west-1").create_user(UserName="gov")["User"]
    assert user["Arn"] == "arn:aws-us-gov:iam::000000000000:user/gov"
    topic = server.client("sns", region="cn-northwest-1").create_topic(Name="china-topic")["TopicArn"]
    assert topic == "arn:aws-cn:sns:cn-northwest-1:000000000000:china-topic"
    policy = server.client("iam", region="cn-north-1").list_policies(Scope="AWS")["Policies"][0]["Arn"]
    assert policy.startswith("arn:aws-cn:iam::aws:policy/")

    events = server.client("cloudtrail", region="cn-north-1").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateCacheCluster"}])["Events"]
    record = json.loads(events[0]["CloudTrailEvent"])
    assert record["awsRegion"] == "cn-north-1"
    assert record["userIdentity"]["arn"] == "arn:aws-cn:iam::000000000000:root"
    assert record["responseElements"]["aRN"] == arn

    # A partition not served here: its regions are refused at the signature, as an unknown region is.
    try:
        server.client("sts", region="us-iso-east-1").get_caller_identity()
        raise AssertionError("a region of an unserved partition was accepted")
    except botocore.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "SignatureDoesNotMatch"
