"""The AWS CLI's own example pages for ElastiCache and CloudTrail (they ship inside the pinned
awscli), replayed with the real CLI (issue: fidelity): each command runs on a server of its
own after what it names is created, and its JSON output is compared with the page's printed
output as test_examples_replay.py compares botocore's examples. Example values that are AWS's
own placeholders or name AWS's catalogs are rewritten, each with its reason."""

import json
import re

import pytest

from examples_replay import ACCOUNT, SESSION, cli_examples, differences, untypo
from test_delivery import trail_policy

# Rewrites of the pages' arguments, each with its reason.
ARGUMENTS = [
    (re.compile(r"\b(123456789012|1234567890|xxxxxxxxxx52)\b"), ACCOUNT, "the page's account is not this server's"),
    (re.compile(r"arn:aws:(elasticache|cloudtrail):us-west-2:"), r"arn:aws:\1:us-east-1:", "the replay runs in us-east-1"),
    (re.compile(r"^elc-x+406-x+$"), "elc-20261001-001", "a placeholder for one of AWS's service updates"),
]

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

    def settle(self):
        self.server.advance(30)

    def exists(self, describe, **name):
        try:
            describe(**name)
            return True
        except Exception:  # noqa: BLE001 - any refusal means it is not there
            return False

    def cluster(self, name):
        if re.search(r"-\d{3}$", name):  # a member of a replication group
            return self.group(name.rsplit("-", 1)[0], replicas=2)
        if not self.exists(self.ec.describe_cache_clusters, CacheClusterId=name):
            self.ec.create_cache_cluster(
                CacheClusterId=name, Engine="redis", CacheNodeType="cache.m5.large", NumCacheNodes=1)
            self.settle()

    def group(self, name, replicas=1, shards=None):
        if self.exists(self.ec.describe_replication_groups, ReplicationGroupId=name):
            return
        shown = self.printed.get("ReplicationGroup", {})
        shards = shards or len(shown.get("NodeGroups", [])) or 1
        clustered = shown.get("ClusterEnabled") or shards > 1 or "cluster" in name and "test" not in name
        kwargs = {"ReplicationGroupId": name, "ReplicationGroupDescription": name, "Engine": "redis",
                  "CacheNodeType": "cache.r5.large"}
        if clustered:
            self.ec.create_replication_group(
                **kwargs, NumNodeGroups=max(shards, 2), ReplicasPerNodeGroup=replicas)
        else:
            self.ec.create_replication_group(
                **kwargs, NumCacheClusters=replicas + 1, AutomaticFailoverEnabled=replicas > 0,
                MultiAZEnabled=shown.get("MultiAZ") == "enabled" or replicas > 0)
        self.settle()

    def global_datastore(self, example_id, secondary=None):
        suffix = example_id.split("-", 1)[1] if example_id.startswith("sgaui-") else example_id
        primary = f"{suffix}-primary"
        self.group(primary, replicas=1)
        created = self.ec.create_global_replication_group(
            GlobalReplicationGroupIdSuffix=suffix, PrimaryReplicationGroupId=primary,
            GlobalReplicationGroupDescription=suffix)["GlobalReplicationGroup"]["GlobalReplicationGroupId"]
        self.settle()
        if secondary:
            west = self.server.client("elasticache", region="us-west-2")
            west.create_replication_group(
                ReplicationGroupId=secondary, ReplicationGroupDescription="d", GlobalReplicationGroupId=created)
            self.server.advance(30)
        self.renamed[example_id] = created

    def trail(self, name, bucket="amzn-s3-demo-bucket"):
        s3, ct = self.server.client("s3"), self.server.client("cloudtrail")
        if not self.exists(s3.head_bucket, Bucket=bucket):
            s3.create_bucket(Bucket=bucket)
            s3.put_bucket_policy(Bucket=bucket, Policy=trail_policy(bucket, [ACCOUNT]))
        if not self.exists(ct.get_trail, Name=name):
            ct.create_trail(Name=name, S3BucketName=bucket)

    def prepare(self, service, page, given):
        """Creates what the command names; returns the names to replace in its arguments."""
        creates = page.startswith("create-") and page != "create-snapshot"
        if service == "cloudtrail":
            if page in ("create-trail", "update-trail"):
                self.trail("placeholder")  # the bucket
            for name in [given.get("name"), given.get("trail-name")] + _list(given.get("trail-name-list")):
                if name and not creates:
                    self.trail(name)
            for arn in _list(given.get("resource-id-list")):
                name = arn.rsplit("/", 1)[-1]
                self.trail(name)
                tags = next((r["TagsList"] for r in self.printed.get("ResourceTagList", [])
                             if r["ResourceId"].endswith(f"/{name}")), [])
                if tags:
                    self.server.client("cloudtrail").add_tags(ResourceId=arn, TagsList=tags)
            if page == "get-trail-status":
                self.server.client("cloudtrail").start_logging(Name=given["name"])
            return
        if "global-replication-group-id" in given:
            secondary = given.get("replication-group-id")
            self.global_datastore(given["global-replication-group-id"], secondary=secondary)
            return
        if "resource-name" in given:
            self.cluster(given["resource-name"].rsplit(":", 1)[-1])
            tags = self.printed.get("TagList", [])
            if tags and page != "add-tags-to-resource":
                self.ec.add_tags_to_resource(ResourceName=given["resource-name"], Tags=tags)
        if "cache-cluster-id" in given and not creates:
            self.cluster(given["cache-cluster-id"])
        if page == "create-global-replication-group":
            self.group(given["primary-replication-group-id"], replicas=1)
        for group in _list(given.get("replication-group-id")) + _list(given.get("replication-group-ids")):
            if not creates:
                self.group(group, replicas=2 if page == "decrease-replica-count" else 1)
        if page in ("delete-snapshot", "copy-snapshot") or (page == "describe-snapshots"):
            self.cluster("my-redis4")
            name = given.get("snapshot-name") or given.get("source-snapshot-name") or "my-snapshot"
            self.ec.create_snapshot(CacheClusterId="my-redis4", SnapshotName=name)
            self.settle()
        if "cache-parameter-group-name" in given and not creates:
            self.ec.create_cache_parameter_group(
                CacheParameterGroupName=given["cache-parameter-group-name"], CacheParameterGroupFamily="redis5.0",
                Description="d")
            if page == "describe-cache-parameters":
                self.ec.modify_cache_parameter_group(
                    CacheParameterGroupName=given["cache-parameter-group-name"],
                    ParameterNameValues=[{"ParameterName": "activedefrag", "ParameterValue": "yes"}])
        if page in ("modify-cache-subnet-group",):
            self.ec.create_cache_subnet_group(
                CacheSubnetGroupName=given["cache-subnet-group-name"], CacheSubnetGroupDescription="d",
                SubnetIds=["subnet-0a1b2c3d"])
        users = _list(given.get("user-id")) + _list(given.get("user-ids-to-add"))
        for user in users if not creates else _list(given.get("user-ids-to-add")):
            if user != "default":
                self.ec.create_user(UserId=user, UserName=user, Engine="redis", AccessString="on ~* +@all",
                                    NoPasswordRequired=True)
        if "user-group-id" in given and not creates:
            self.ec.create_user_group(UserGroupId=given["user-group-id"], Engine="redis", UserIds=["default"])
            self.settle()
        if page in ("describe-users", "describe-user-groups"):
            self.ec.create_user_group(UserGroupId="myusergroup", Engine="redis", UserIds=["default"])
            self.settle()
        if page in ("describe-cache-clusters", "describe-replication-groups", "describe-update-actions"):
            self.group("my-cluster", replicas=1)
        if page == "describe-events":
            self.group(given["source-identifier"], replicas=1)


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


@pytest.mark.parametrize(
    ("service", "page", "index", "argv", "printed"), EXAMPLES,
    ids=[f"{s}-{p}-{i}" for s, p, i, _, _ in EXAMPLES])
def test_cli_example_prints_what_aws_printed(fresh_server, service, page, index, argv, printed):
    server = fresh_server()
    printed = untypo(printed)
    argv = rewrite(argv, {})
    setup = Prerequisites(server, printed)
    setup.prepare(service, page, flags(argv))
    argv = rewrite(argv, setup.renamed)
    model = SESSION.get_service_model(service)
    operation = next(op for op in model.operation_names if _dashed(op) == argv[0])
    result = server.cli(service, *argv, check=False)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout or "{}")
    found = differences(printed, answer, model.operation_model(operation).output_shape)
    assert not found, "; ".join(found)


def _dashed(name):
    return re.sub(r"(?<!^)(?=[A-Z][a-z])|(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()
