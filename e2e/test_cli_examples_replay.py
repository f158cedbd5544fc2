"""The AWS CLI's own example pages for ElastiCache and CloudTrail (they ship inside the pinned
awscli), replayed with the real CLI (issue: fidelity): each command runs on a server of its
own after what it names is created, and its JSON output is compared with the page's printed
output as test_examples_replay.py compares botocore's examples. Example values that are AWS's
own placeholders or name AWS's catalogs are rewritten, each with its reason."""

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from examples_replay import ACCOUNT, SESSION, cli_examples, differences, exists, untypo
from test_delivery import trail_policy

# Rewrites of the pages' arguments, each with its reason.
ARGUMENTS = [
    (re.compile(r"\b(123456789012|1234567890|xxxxxxxxxx52)\b"), ACCOUNT, "the page's account is not this server's"),
    (re.compile(r"arn:aws:(elasticache|cloudtrail):us-west-2:"), r"arn:aws:\1:us-east-1:", "the replay runs in us-east-1"),
    (re.compile(r"^elc-x+406-x+$"), "elc-20261001-001", "a placeholder for one of AWS's service updates"),
]
# Whole commands AWS's pages print wrong, and what they meant.
COMMANDS = {
    # The page passes a map where Tags is a list; the CLI itself refuses it.
    "add-tags-to-resource": lambda argv: argv[:argv.index("--tags")] + [
        "--tags", "Key=APIVersion,Value=20150202", "Key=Service,Value=ElastiCache"],
    # The page continues its lines with "/" instead of "\".
    "test-failover": lambda argv: [word for word in argv if word != "/"],
}
# What the pages print that this server does not serve, and why.
NOT_SERVED = {
    "LogDeliveryConfigurations": "log destinations (CloudWatch Logs, Kinesis Data Firehose) are not served: configurations are kept and answered in state error",
    "CloudWatchLogsRoleArn": "CloudWatch Logs delivery is not served (CreateTrail refuses it)",
    "CloudWatchLogsLogGroupArn": "CloudWatch Logs delivery is not served (CreateTrail refuses it)",
    "LatestCloudWatchLogsDeliveryTime": "CloudWatch Logs delivery is not served",
    "LatestCloudWatchLogsDeliveryError": "CloudWatch Logs delivery is not served",
}
# Single values that differ for a stated reason.
EXPLAINED = {
    # The page's account had an update for both engines; this server's catalog has one per engine.
    ("describe-service-updates", ".ServiceUpdates[0].Engine"),
    # AWS answers the value before its asynchronous change takes effect; this server applies
    # ModifyReplicationGroup's MultiAZ at once.
    ("modify-replication-group", ".ReplicationGroup.MultiAZ"),
    # AWS's pages disagree: decrease-replica-count shows the node group modifying, this one
    # available; the reading (modifying, as the group) is kept.
    ("increase-replica-count", ".ReplicationGroup.NodeGroups[0].Status"),
}

EXAMPLES = [("elasticache", *e) for e in cli_examples("elasticache")] + [
    ("cloudtrail", *e) for e in cli_examples("cloudtrail")]


def flags(argv):
    """`--name value…` pairs of a command line (a flag without a value is True)."""
    found, current = {}, None
    for word in argv[1:]:
        if word.startswith("--"):
            current = word[2:]
            found[current] = True
        elif current is not None:
            found[current] = word if found[current] is True else [*([found[current]] if isinstance(
                found[current], str) else found[current]), word]
    return found


class Prerequisites:
    """Creates what a page's command names before it runs, shaped after what the page printed."""

    def __init__(self, server, printed):
        self.server = server
        self.printed = printed
        self.ec = server.client("elasticache")
        self.renamed = {}
        self.topic = None
        if any(word in json.dumps(printed) for word in ("TopicArn", "SnsTopicName", "LatestNotification")):
            self.topic = self.notification_topic()

    def settle(self):
        self.server.advance(30)

    def notification_topic(self):
        sns = self.server.client("sns")
        arn = sns.create_topic(Name="My_Topic")["TopicArn"]
        sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                                                    "Action": "SNS:Publish", "Resource": arn}]}))
        return arn

    def topic_args(self):
        return {"NotificationTopicArn": self.topic} if self.topic else {}

    def security_groups(self):
        """The VPC security groups the printed cluster is in."""
        groups = [g["SecurityGroupId"] for g in self.shown("CacheCluster").get("SecurityGroups", [])]
        return {"SecurityGroupIds": groups} if groups else {}

    def shown(self, key):
        """The printed resource of kind `key` (the first of a list)."""
        value = self.printed.get(key) or next(iter(self.printed.get(key + "s", []) or []), None)
        return value or {}

    def cluster(self, name):
        if re.search(r"-\d{3}$", name):  # a member of a replication group
            return self.group(name.rsplit("-", 1)[0], replicas=2)
        if not exists(self.ec.describe_cache_clusters, CacheClusterId=name):
            self.ec.create_cache_cluster(
                CacheClusterId=name, Engine="redis", CacheNodeType="cache.m5.large", NumCacheNodes=1,
                **self.topic_args(), **self.security_groups())
            self.settle()

    def group(self, name, replicas=1, region=None, settle=True, shards=None):
        ec = self.server.client("elasticache", region=region) if region else self.ec
        if exists(ec.describe_replication_groups, ReplicationGroupId=name):
            return
        shown = self.shown("ReplicationGroup")
        shards = shards or len(shown.get("NodeGroups", [])) or 1
        failover = shown.get("AutomaticFailover", "enabled") != "disabled" and replicas > 0
        kwargs = {"ReplicationGroupId": name, "ReplicationGroupDescription": name, "Engine": "redis",
                  "CacheNodeType": "cache.r5.large", **self.topic_args(), **self.security_groups()}
        if shown.get("ClusterEnabled") or shards > 1:
            ec.create_replication_group(
                **kwargs, NumNodeGroups=max(shards, 2), ReplicasPerNodeGroup=replicas,
                MultiAZEnabled=shown.get("MultiAZ") == "enabled")
        else:
            ec.create_replication_group(
                **kwargs, NumCacheClusters=replicas + 1, AutomaticFailoverEnabled=failover,
                MultiAZEnabled=failover and shown.get("MultiAZ") == "enabled")
        if settle:
            self.settle()
        info = shown.get("GlobalReplicationGroupInfo", {})
        if info.get("GlobalReplicationGroupId"):  # the printed group is a global datastore's primary
            self.ec.create_global_replication_group(
                GlobalReplicationGroupIdSuffix=info["GlobalReplicationGroupId"].split("-", 1)[-1],
                PrimaryReplicationGroupId=name)
            self.settle()

    def global_datastore(self, example_id, secondary=None, secondary_region=None):
        suffix = example_id.split("-", 1)[1] if example_id.startswith("sgaui-") else example_id
        shown = self.shown("GlobalReplicationGroup")
        # The secondary joins from another region than the primary's.
        primary_region = "us-west-2" if secondary_region == "us-east-1" else "us-east-1"
        ec = self.server.client("elasticache", region=primary_region)
        primary = f"{suffix}-primary"
        if shown.get("ClusterEnabled") or shown.get("GlobalNodeGroups"):
            ec.create_replication_group(
                ReplicationGroupId=primary, ReplicationGroupDescription="d", Engine="redis",
                CacheNodeType="cache.r5.large", NumNodeGroups=max(2, len(shown.get("GlobalNodeGroups", []))),
                ReplicasPerNodeGroup=1)
        else:
            ec.create_replication_group(
                ReplicationGroupId=primary, ReplicationGroupDescription="d", Engine="redis",
                CacheNodeType="cache.r5.large", NumCacheClusters=2, AutomaticFailoverEnabled=True)
        self.settle()
        created = ec.create_global_replication_group(
            GlobalReplicationGroupIdSuffix=suffix, PrimaryReplicationGroupId=primary,
            GlobalReplicationGroupDescription=suffix)["GlobalReplicationGroup"]["GlobalReplicationGroupId"]
        self.renamed[example_id] = created
        if shown.get("Status") == "creating":
            return  # the page printed it while it was being created
        self.settle()
        if secondary:
            other = self.server.client("elasticache", region=secondary_region or "us-west-2")
            other.create_replication_group(
                ReplicationGroupId=secondary, ReplicationGroupDescription="d", GlobalReplicationGroupId=created)
            self.settle()

    def snapshot(self, name):
        shown = self.shown("Snapshot")
        if shown.get("SnapshotSource") == "automated":
            self.ec.create_cache_cluster(
                CacheClusterId="my-cluster2", Engine="redis", CacheNodeType="cache.r5.large",
                SnapshotRetentionLimit=1, **self.topic_args())
            self.server.advance(2 * 86400)
        elif shown.get("ReplicationGroupId"):
            self.group(shown["ReplicationGroupId"], replicas=1, shards=shown.get("NumNodeGroups"))
            self.ec.create_snapshot(ReplicationGroupId=shown["ReplicationGroupId"], SnapshotName=name)
        else:
            self.cluster("my-redis4")
            self.ec.create_snapshot(CacheClusterId="my-redis4", SnapshotName=name)
        self.settle()

    def user(self, name, groups=()):
        shown = self.printed if self.printed.get("UserId") else {}
        password = shown.get("Authentication", {}).get("Type") == "password"
        self.ec.create_user(
            UserId=name, UserName=name, Engine="redis", AccessString="on ~* +@all",
            **({"Passwords": ["a-password-of-16+chars"]} if password else {"NoPasswordRequired": True}))
        for group in shown.get("UserGroupIds", []) or groups:
            self.ec.create_user_group(UserGroupId=group, Engine="redis", UserIds=["default", name])
        self.settle()

    def trail(self, name, bucket="amzn-s3-demo-bucket"):
        s3, ct = self.server.client("s3"), self.server.client("cloudtrail")
        if not exists(s3.head_bucket, Bucket=bucket):
            s3.create_bucket(Bucket=bucket)
            s3.put_bucket_policy(Bucket=bucket, Policy=trail_policy(bucket, [ACCOUNT]))
        if not exists(ct.get_trail, Name=name):
            shown = next(iter(self.printed.get("trailList", [])), self.printed)
            ct.create_trail(
                Name=name, S3BucketName=bucket, **({"SnsTopicName": self.topic} if self.topic else {}),
                EnableLogFileValidation="LatestDigestDeliveryTime" in self.printed or shown.get("LogFileValidationEnabled", False))

    def console_sign_in_failure(self):
        """A ConsoleLogin event: a sign-in with a wrong password, through the console's form."""
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = opener.open(f"{self.server.endpoint}/console/signin", timeout=10).read().decode()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrf": csrf, "account": ACCOUNT, "username": "", "password": "wrong"})
        try:
            opener.open(f"{self.server.endpoint}/console/signin", data=form.encode(), timeout=10).read()
        except urllib.error.HTTPError:
            pass  # the console answers the failed sign-in with its error page

    def prepare(self, service, page, given):
        """Creates what the command names (its page's printed state), renaming ids AWS assigns."""
        creates = page.startswith("create-") and page != "create-snapshot"
        if service == "cloudtrail":
            self.prepare_trails(page, given, creates)
            return
        if "global-replication-group-id" in given:
            self.global_datastore(
                given["global-replication-group-id"], secondary=given.get("replication-group-id"),
                secondary_region=given.get("replication-group-region"))
            return
        if "resource-name" in given:
            self.cluster(given["resource-name"].rsplit(":", 1)[-1])
            tags = self.printed.get("TagList", [])
            if tags and page != "add-tags-to-resource":
                self.ec.add_tags_to_resource(ResourceName=given["resource-name"], Tags=tags)
        if "cache-cluster-id" in given and not creates:
            self.cluster(given["cache-cluster-id"])
        if page == "create-global-replication-group":
            clustered = self.shown("GlobalReplicationGroup").get("ClusterEnabled")
            self.group(given["primary-replication-group-id"], replicas=1, shards=2 if clustered else None)
        replicas = {"decrease-replica-count": 3, "increase-replica-count": 2}.get(page, 1)
        for group in _list(given.get("replication-group-id")) + _list(given.get("replication-group-ids")):
            if not creates:
                self.group(group, replicas=replicas)
        if page in ("delete-snapshot", "copy-snapshot", "describe-snapshots"):
            self.snapshot(given.get("snapshot-name") or given.get("source-snapshot-name") or "my-snapshot")
        if "cache-parameter-group-name" in given and not creates:
            self.ec.create_cache_parameter_group(
                CacheParameterGroupName=given["cache-parameter-group-name"], CacheParameterGroupFamily="redis5.0",
                Description="d")
            if page == "describe-cache-parameters":
                self.ec.modify_cache_parameter_group(
                    CacheParameterGroupName=given["cache-parameter-group-name"],
                    ParameterNameValues=[{"ParameterName": "activedefrag", "ParameterValue": "yes"}])
        if page == "modify-cache-subnet-group":
            self.ec.create_cache_subnet_group(
                CacheSubnetGroupName=given["cache-subnet-group-name"], CacheSubnetGroupDescription="d",
                SubnetIds=["subnet-0a1b2c3d"])
        if "user-id" in given and not creates:
            self.user(given["user-id"])
        for user in _list(given.get("user-ids-to-add")):
            self.user(user)
        if "user-group-id" in given and not creates:
            self.ec.create_user_group(UserGroupId=given["user-group-id"], Engine="redis", UserIds=["default"])
            self.settle()
        if page in ("describe-users", "describe-user-groups"):
            self.user("user1", groups=["myusergroup"])
        if page in ("describe-cache-clusters", "describe-replication-groups", "describe-update-actions"):
            self.group("my-cluster", replicas=1)
        if page == "describe-events":
            self.group(given["source-identifier"], replicas=1)

    def prepare_trails(self, page, given, creates):
        ct = self.server.client("cloudtrail")
        if creates or page == "update-trail":
            self.trail("placeholder")  # the bucket
        names = [given.get("name"), given.get("trail-name")] + _list(given.get("trail-name-list"))
        for name in names:
            if name and not creates:
                self.trail(name)
        for arn in _list(given.get("resource-id-list")):
            name = arn.rsplit("/", 1)[-1]
            self.trail(name)
            tags = next((r["TagsList"] for r in self.printed.get("ResourceTagList", [])
                         if r["ResourceId"].endswith(f"/{name}")), [])
            if tags:
                ct.add_tags(ResourceId=arn, TagsList=tags)
        if page in ("get-trail-status", "list-public-keys"):
            name = given.get("name") or "validated"
            self.trail(name)
            ct.update_trail(Name=name, EnableLogFileValidation=True)
            ct.start_logging(Name=name)
            if "StopLoggingTime" in self.printed:  # the page's trail was stopped once and restarted
                ct.stop_logging(Name=name)
                ct.start_logging(Name=name)
            self.server.client("elasticache").describe_cache_clusters()
            self.server.advance(3601)  # a log file, its notification, a digest and its key
        if page == "lookup-events":
            self.console_sign_in_failure()


def _list(value):
    if value is None or value is True:
        return []
    return [value] if isinstance(value, str) else list(value)


def rewrite(argv, renamed):
    out = []
    for word in argv:
        for pattern, replacement, _reason in ARGUMENTS:
            word = pattern.sub(replacement, word)
        out.append(renamed.get(word, word))
    return out


def allowed(page, difference):
    path = difference.split(":", 1)[0]
    return path.rsplit(".", 1)[-1].split("[")[0] in NOT_SERVED or (page, path) in EXPLAINED


@pytest.mark.parametrize(
    ("service", "page", "index", "argv", "printed"), EXAMPLES,
    ids=[f"{s}-{p}-{i}" for s, p, i, _, _ in EXAMPLES])
def test_cli_example_prints_what_aws_printed(fresh_server, service, page, index, argv, printed):
    server = fresh_server()
    printed = untypo(printed)
    argv = COMMANDS.get(page, lambda a: a)(rewrite(argv, {}))
    setup = Prerequisites(server, printed)
    setup.prepare(service, page, flags(argv))
    argv = rewrite(argv, setup.renamed)
    if page == "purchase-reserved-cache-nodes-offering":  # AWS's offering ids are AWS's catalog's
        node = printed["ReservedCacheNode"]
        offering = server.client("elasticache").describe_reserved_cache_nodes_offerings(
            CacheNodeType=node["CacheNodeType"], OfferingType=node["OfferingType"],
            Duration=str(node["Duration"]))["ReservedCacheNodesOfferings"][0]
        argv[argv.index("--reserved-cache-nodes-offering-id") + 1] = offering["ReservedCacheNodesOfferingId"]
    model = SESSION.get_service_model(service)
    operation = next(op for op in model.operation_names if _dashed(op) == argv[0])
    result = server.cli(service, *argv, check=False)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout or "{}")
    found = differences(printed, answer, model.operation_model(operation).output_shape)
    found = [d for d in found if not allowed(page, d)]
    assert not found, "; ".join(found)


def _dashed(name):
    return re.sub(r"(?<!^)(?=[A-Z][a-z])|(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()
