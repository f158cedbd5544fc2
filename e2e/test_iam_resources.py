"""IAM as AWS evaluates it: every resource a call names is authorized, and ElastiCache's
condition keys decide."""

import json
import uuid

import botocore.exceptions
import pytest


def user_with(server, statements):
    iam = server.client("iam")
    name = f"lp-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    iam.put_user_policy(
        UserName=name, PolicyName="least", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements})
    )
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return server.client("elasticache", key["AccessKeyId"], key["SecretAccessKey"])


def denied(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        call(**kwargs)
    assert excinfo.value.response["Error"]["Code"] == "AccessDenied"
    return excinfo.value.response["Error"]["Message"]


def test_create_cache_cluster_needs_its_parameter_group_too(server):
    base = "arn:aws:elasticache:us-east-1:000000000000"
    server.client("elasticache").create_cache_parameter_group(
        CacheParameterGroupName="lp-params", CacheParameterGroupFamily="redis7", Description="least privilege")
    cluster_only = user_with(server, [{
        "Effect": "Allow", "Action": "elasticache:CreateCacheCluster", "Resource": f"{base}:cluster:*",
    }])
    message = denied(
        cluster_only.create_cache_cluster, CacheClusterId="lp-one", Engine="redis", CacheNodeType="cache.t4g.small",
        CacheParameterGroupName="lp-params")
    assert f"on resource: {base}:parametergroup:lp-params" in message
    assert "because no identity-based policy allows the elasticache:CreateCacheCluster action" in message
    both = user_with(server, [{
        "Effect": "Allow", "Action": "elasticache:CreateCacheCluster",
        "Resource": [f"{base}:cluster:*", f"{base}:parametergroup:lp-params"],
    }])
    both.create_cache_cluster(
        CacheClusterId="lp-two", Engine="redis", CacheNodeType="cache.t4g.small", CacheParameterGroupName="lp-params")
    # The denial is recorded with the resource it names.
    events = server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateCacheCluster"}])["Events"]
    records = [json.loads(e["CloudTrailEvent"]) for e in events]
    assert any(r.get("errorCode") == "AccessDenied" and "parametergroup:lp-params" in r["errorMessage"] for r in records)


def test_a_snapshot_needs_a_right_on_the_snapshot(server):
    base = "arn:aws:elasticache:us-east-1:000000000000"
    server.client("elasticache").create_cache_cluster(
        CacheClusterId="snap-src", Engine="redis", CacheNodeType="cache.t4g.small")
    server.advance(10)
    cluster_only = user_with(server, [{
        "Effect": "Allow", "Action": "elasticache:CreateSnapshot", "Resource": f"{base}:cluster:snap-src",
    }])
    message = denied(cluster_only.create_snapshot, CacheClusterId="snap-src", SnapshotName="lp-snap")
    assert f"{base}:snapshot:lp-snap" in message


def test_an_elasticache_condition_key_allows_and_refuses(server):
    small_only = user_with(server, [{
        "Effect": "Allow", "Action": "elasticache:CreateCacheCluster", "Resource": "*",
        "Condition": {"StringLike": {"elasticache:CacheNodeType": "cache.t4g.*"}},
    }])
    small_only.create_cache_cluster(CacheClusterId="small-ok", Engine="redis", CacheNodeType="cache.t4g.small")
    denied(small_only.create_cache_cluster, CacheClusterId="big-no", Engine="redis", CacheNodeType="cache.r7g.large")
    tagged_only = user_with(server, [{
        "Effect": "Allow", "Action": "elasticache:CreateCacheCluster", "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestTag/team": "audit"}},
    }])
    tagged_only.create_cache_cluster(
        CacheClusterId="tagged-ok", Engine="redis", CacheNodeType="cache.t4g.small",
        Tags=[{"Key": "team", "Value": "audit"}])
    denied(tagged_only.create_cache_cluster, CacheClusterId="untagged-no", Engine="redis", CacheNodeType="cache.t4g.small")


def test_the_tagging_api_lists_every_service_s_resources_by_tag(fresh_server):
    srv = fresh_server()
    tag = [{"Key": "team", "Value": "audit"}]
    srv.client("elasticache").create_cache_cluster(
        CacheClusterId="tagged", Engine="redis", CacheNodeType="cache.t4g.small", Tags=tag)
    s3 = srv.client("s3")
    s3.create_bucket(Bucket="tagged-bucket")
    s3.put_bucket_tagging(Bucket="tagged-bucket", Tagging={"TagSet": tag})
    topic = srv.client("sns").create_topic(Name="tagged-topic", Tags=tag)["TopicArn"]
    srv.client("sns").create_topic(Name="untagged-topic")
    tagging = srv.client("resourcegroupstaggingapi")
    found = tagging.get_resources(TagFilters=[{"Key": "team", "Values": ["audit"]}])["ResourceTagMappingList"]
    arns = sorted(r["ResourceARN"] for r in found)
    assert arns == sorted([
        "arn:aws:elasticache:us-east-1:000000000000:cluster:tagged", "arn:aws:s3:::tagged-bucket", topic,
    ])
    clusters = tagging.get_resources(ResourceTypeFilters=["elasticache:cluster"])["ResourceTagMappingList"]
    assert [r["ResourceARN"] for r in clusters] == ["arn:aws:elasticache:us-east-1:000000000000:cluster:tagged"]
    pages = list(tagging.get_paginator("get_resources").paginate(ResourcesPerPage=1))
    assert sum(len(p["ResourceTagMappingList"]) for p in pages) == 4 and len(pages) == 4
    assert tagging.get_tag_keys()["TagKeys"] == ["team"]
    assert tagging.get_tag_values(Key="team")["TagValues"] == ["audit"]
    # TagResources and UntagResources tag through each resource's own service.
    trail = srv.client("cloudtrail")
    s3.create_bucket(Bucket="trail-bucket")
    s3.put_bucket_policy(Bucket="trail-bucket", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": "arn:aws:s3:::trail-bucket"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::trail-bucket/AWSLogs/000000000000/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]}))
    trail_arn = trail.create_trail(Name="tagged-trail", S3BucketName="trail-bucket")["TrailARN"]
    cluster = "arn:aws:elasticache:us-east-1:000000000000:cluster:tagged"
    everything = [cluster, "arn:aws:s3:::tagged-bucket", topic, trail_arn]
    missing = "arn:aws:sns:us-east-1:000000000000:no-such-topic"
    failed = tagging.tag_resources(ResourceARNList=everything + [missing], Tags={"x": "y"})["FailedResourcesMap"]
    assert list(failed) == [missing]
    found = tagging.get_resources(TagFilters=[{"Key": "x", "Values": ["y"]}])["ResourceTagMappingList"]
    assert sorted(r["ResourceARN"] for r in found) == sorted(everything)
    assert {"Key": "team", "Value": "audit"} in s3.get_bucket_tagging(Bucket="tagged-bucket")["TagSet"]
    assert trail.list_tags(ResourceIdList=[trail_arn])["ResourceTagList"][0]["TagsList"] == [{"Key": "x", "Value": "y"}]
    assert tagging.untag_resources(ResourceARNList=everything, TagKeys=["x"])["FailedResourcesMap"] == {}
    assert tagging.get_resources(TagFilters=[{"Key": "x"}])["ResourceTagMappingList"] == []
    # A user allowed tag:TagResources but not the service's own tagging action is refused per resource.
    iam = srv.client("iam")
    iam.create_user(UserName="tagger")
    iam.put_user_policy(UserName="tagger", PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["tag:TagResources", "sns:TagResource"], "Resource": "*"}]}))
    key = iam.create_access_key(UserName="tagger")["AccessKey"]
    tagger = srv.client("resourcegroupstaggingapi", key_id=key["AccessKeyId"], secret=key["SecretAccessKey"])
    failed = tagger.tag_resources(ResourceARNList=[topic, cluster], Tags={"by": "tagger"})["FailedResourcesMap"]
    assert list(failed) == [cluster] and failed[cluster]["StatusCode"] == 403
    assert "elasticache:AddTagsToResource" in failed[cluster]["ErrorMessage"]
    events = srv.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": "tagging.amazonaws.com"}])["Events"]
    assert {e["EventName"] for e in events} >= {"GetResources", "GetTagKeys", "TagResources"}
