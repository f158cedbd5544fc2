import AWSModels
import Testing

/// The generated models decode to what botocore says, trait by trait.
struct GeneratedModelTests {
    @Test func everyHostedModelDecodesWithItsOperationsAndShapes() {
        let counts = ServiceModel.hosted.mapValues { ($0.operations.count, $0.shapes.count) }
        #expect(counts["elasticache"]?.0 == 77)
        #expect(counts["elasticache"]?.1 == 422)
        #expect(counts["sts"]?.0 == 11)
        #expect(
            ServiceModel.hosted.values.allSatisfy { model in
                model.operations.values.allSatisfy { operation in
                    [operation.input, operation.output].compactMap { $0 }.allSatisfy { model.shapes[$0] != nil }
                        && operation.errors.allSatisfy { model.shapes[$0]?.error != nil }
                }
            })
    }

    @Test func metadataAndOperationTraits() throws {
        let elastiCache = ServiceModel.elastiCache
        #expect(elastiCache.metadata.protocol == .query)
        #expect(elastiCache.metadata.xmlNamespace == "http://elasticache.amazonaws.com/doc/2015-02-02/")
        #expect(!elastiCache.metadata.globalEndpoint)
        #expect(ServiceModel.iam.metadata.globalEndpoint)
        #expect(ServiceModel.cloudTrail.metadata.protocol == .json)
        #expect(
            ServiceModel.cloudTrail.metadata.targetPrefix == "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101")
        let create = try #require(elastiCache.operations["CreateCacheCluster"])
        #expect(create.method == "POST")
        #expect(create.input == "CreateCacheClusterMessage")
        #expect(create.resultWrapper == "CreateCacheClusterResult")
        #expect(create.errors.contains("CacheClusterAlreadyExistsFault"))
        #expect(ServiceModel.s3.operations["PutObject"]?.requestURI == "/{Bucket}/{Key+}")
        #expect(ServiceModel.s3.operations["CreateMultipartUpload"]?.requestURI == "/{Bucket}/{Key+}?uploads")
    }

    @Test func shapeTraitsSurviveTheirEncoding() throws {
        let elastiCache = ServiceModel.elastiCache
        let input = elastiCache.shape("CreateCacheClusterMessage")
        #expect(input.kind == .structure)
        #expect(input.required == ["CacheClusterId"])
        #expect(input.members.first?.name == "CacheClusterId")
        let token = try #require(input.member("AuthToken"))
        #expect(elastiCache.shape(token.shape).kind == .string)
        // The patch table marks secrets botocore leaves unmarked, and what AWS hides (SNS bodies).
        #expect(token.sensitive)
        #expect(input.member("CacheClusterId")?.sensitive == false)
        #expect(ServiceModel.sns.shape("PublishInput").member("Message")?.sensitive == true)
        let fault = elastiCache.shape("CacheClusterNotFoundFault")
        #expect(fault.error?.code == "CacheClusterNotFound")
        #expect(fault.error?.httpStatus == 404)
        #expect(fault.error?.senderFault == true)
        let ids = elastiCache.shape("SubnetIdentifierList")
        #expect(ids.kind == .list)
        #expect(ids.element?.locationName == "SubnetIdentifier")
        let s3 = ServiceModel.s3
        let put = s3.shape("PutObjectRequest")
        #expect(put.payload == "Body")
        #expect(put.member("Bucket")?.location == "uri")
        #expect(put.member("ContentMD5")?.locationName == "Content-MD5")
        let body = try #require(put.member("Body"))
        #expect(s3.shape(body.shape).kind == .blob)
        #expect(body.streaming)
        let customerKey = s3.shape(try #require(put.member("SSECustomerKey")).shape)
        #expect(customerKey.sensitive)
        #expect(s3.shape("ObjectCannedACL").enumValues?.contains("bucket-owner-full-control") == true)
        #expect(s3.shape("CreateBucketConfiguration").members.first?.name == "LocationConstraint")
        let arn = ServiceModel.sns.shape("AmazonResourceName")
        #expect(arn.min == 1)
        #expect(arn.max == 1011)
        let duration = ServiceModel.sts.shape("roleDurationSecondsType")
        #expect(duration.min == 900)
        #expect(duration.max == 43200)
    }
}

/// Generated names are the models' own spellings.
struct GeneratedNameTests {
    @Test func memberAndErrorNamesSpellTheModel() {
        #expect(MemberName.cacheClusterId.rawValue == "CacheClusterId")
        #expect(MemberName.sseCustomerKey.rawValue == "SSECustomerKey")
        #expect(MemberName.eTag.rawValue == "ETag")
        #expect(MemberName.acl.rawValue == "ACL")
        // Three spellings of one word in the models: each keeps its own.
        #expect([MemberName.arn, .ARN, .Arn].map(\.rawValue) == ["arn", "ARN", "Arn"])
        let fault = ErrorShape.cacheClusterNotFoundFault.rawValue
        #expect(ServiceModel.elastiCache.shapes[fault]?.error?.code == "CacheClusterNotFound")
        #expect(ServiceModel.cloudTrail.shapes[ErrorShape.trailNotFoundException.rawValue]?.error != nil)
    }
}
