import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// The Resource Groups Tagging API (JSON 1.1, signing name `tagging`): every taggable resource
/// the other services hold in the caller's account and region (ElastiCache clusters and
/// replication groups, S3 buckets, SNS topics, CloudTrail trails), filtered by tags and
/// resource types, paged. TagResources and UntagResources run, for each ARN, the owning
/// service's own tagging operation (ElastiCache AddTagsToResource, SNS TagResource, CloudTrail
/// AddTags, S3 PutBucketTagging…), authorized as that call would be; a resource that fails is
/// reported in FailedResourcesMap.
package struct TaggingService: ServiceHandler {
    package let model = ServiceModel.resourceGroupsTagging
    let sources: [any ServiceHandler]
    /// Authorizes a call on another service as the gateway would (its action on every resource
    /// it names).
    let authorize: @Sendable (OperationCall, any ServiceHandler, any StateReader) throws -> Void

    /// - Parameter sources: the services whose resources this API lists.
    package init(
        sources: [any ServiceHandler],
        authorize: @escaping @Sendable (OperationCall, any ServiceHandler, any StateReader) throws -> Void
    ) {
        self.sources = sources
        self.authorize = authorize
    }

    package func resource(for call: OperationCall) -> String? { "*" }

    package func handle(_ call: OperationCall, in tx: any StateWriter) throws -> ShapeValue? {
        switch call.operation.name {
        case "GetResources": return try getResources(call, tx)
        case "GetTagKeys":
            let keys = Set(try resources(call, tx).flatMap(\.tags.keys)).sorted()
            return .object(["TagKeys": .list(keys.map(ShapeValue.string)), "PaginationToken": .string("")])
        case "GetTagValues":
            let key = try call.required(.key)
            let values = Set(try resources(call, tx).compactMap { $0.tags[key] }).sorted()
            return .object(["TagValues": .list(values.map(ShapeValue.string)), "PaginationToken": .string("")])
        case "TagResources", "UntagResources":
            let arns = call[.resourceARNList]?.listValue?.compactMap(\.stringValue) ?? []
            var failed: [String: ShapeValue] = [:]
            let held = Dictionary(try resources(call, tx).map { ($0.arn, $0.tags) }) { first, _ in first }
            for arn in arns {
                do {
                    guard let tags = held[arn], let (handler, subcall) = retag(call, arn: arn, current: tags) else {
                        throw AWSError(
                            code: "InvalidParameterException",
                            message: "\(arn) is not a taggable resource of this account in \(call.region).")
                    }
                    try authorize(subcall, handler, tx)
                    _ = try handler.handle(subcall, in: tx)
                } catch let error as AWSError {
                    failed[arn] = .object([
                        "StatusCode": .integer(Int64(error.httpStatus)),
                        "ErrorCode": .string(
                            error.httpStatus >= 500 ? "InternalServiceException" : "InvalidParameterException"),
                        "ErrorMessage": .string("\(error.code): \(error.message)"),
                    ])
                }
            }
            return .object(["FailedResourcesMap": .map(failed)])
        default:
            throw AWSError.unknownOperation(call.operation.name)
        }
    }

    /// The owning service's own tagging call for `arn`: its handler and the call, in the
    /// caller's name, account and region.
    private func retag(_ call: OperationCall, arn: String, current: [String: String]) -> (
        any ServiceHandler, OperationCall
    )? {
        let service = arn.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false).dropFirst(2).first
        guard let service, let handler = sources.first(where: { $0.model.metadata.signingName == service }) else {
            return nil
        }
        let adding = call.operation.name == "TagResources"
        let tags: [(String, String)] =
            (call[.tags].flatMap { value -> [(String, String)]? in
                guard case .map(let entries) = value else { return nil }
                return entries.compactMap { key, value in value.stringValue.map { (key, $0) } }
            } ?? []).sorted { $0.0 < $1.0 }
        let keys = (call[.tagKeys]?.listValue ?? []).compactMap(\.stringValue)
        func pairs(_ list: [(String, String)]) -> ShapeValue {
            .list(list.map { .object(["Key": .string($0.0), "Value": .string($0.1)]) })
        }
        let operation: String
        let input: ShapeValue
        switch service {
        case "elasticache", "sns":
            let elastiCache = service == "elasticache"
            operation =
                elastiCache
                ? (adding ? "AddTagsToResource" : "RemoveTagsFromResource") : (adding ? "TagResource" : "UntagResource")
            input = .object([
                elastiCache ? "ResourceName" : "ResourceArn": .string(arn),
                adding ? "Tags" : "TagKeys": adding ? pairs(tags) : .list(keys.map(ShapeValue.string)),
            ])
        case "cloudtrail":
            operation = adding ? "AddTags" : "RemoveTags"
            input = .object([
                "ResourceId": .string(arn),
                "TagsList": adding ? pairs(tags) : .list(keys.map { .object(["Key": .string($0)]) }),
            ])
        case "s3":
            // S3 replaces a bucket's whole tag set.
            var merged = current
            for (key, value) in tags { merged[key] = value }
            for key in keys where !adding { merged.removeValue(forKey: key) }
            let bucket = String(Partition.afterPartition(arn)?.dropFirst("s3:::".count) ?? "")
            operation = merged.isEmpty ? "DeleteBucketTagging" : "PutBucketTagging"
            input = .object([
                "Bucket": .string(bucket),
                "Tagging": merged.isEmpty
                    ? nil : .object(["TagSet": pairs(merged.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })]),
            ])
        default: return nil
        }
        guard let model = handler.model.operations[operation] else { return nil }
        let subcall = OperationCall(
            model: handler.model, operation: model, input: input, principal: call.principal, region: call.region,
            requestID: call.requestID, sourceIP: call.sourceIP, userAgent: call.userAgent, now: call.now)
        return (handler, subcall)
    }

    private func resources(_ call: OperationCall, _ tx: any StateReader) throws -> [TaggedResource] {
        try sources.flatMap { try $0.taggedResources(account: call.account, region: call.region, in: tx) }
            .sorted { $0.arn < $1.arn }
    }

    private func getResources(_ call: OperationCall, _ tx: any StateReader) throws -> ShapeValue {
        var found = try resources(call, tx)
        if let arns = call[.resourceARNList]?.listValue?.compactMap(\.stringValue) {
            found = found.filter { arns.contains($0.arn) }
        }
        let types = call[.resourceTypeFilters]?.listValue?.compactMap(\.stringValue) ?? []
        if !types.isEmpty {
            found = found.filter { resource in types.contains { Self.matches(resource.arn, type: $0) } }
        }
        for filter in call[.tagFilters]?.listValue ?? [] {
            guard let key = filter[member: "Key"]?.stringValue else { continue }
            let values = filter[member: "Values"]?.listValue?.compactMap(\.stringValue) ?? []
            found = found.filter { resource in
                guard let value = resource.tags[key] else { return false }
                return values.isEmpty || values.contains(value)
            }
        }
        let perPage = max(1, min(call.int(.resourcesPerPage) ?? 50, 100))
        var start = 0
        if let token = call.string(.paginationToken), !token.isEmpty {
            guard let data = Data(base64Encoded: token), let offset = Int(String(decoding: data, as: UTF8.self)),
                offset >= 0
            else {
                throw AWSError(
                    code: "PaginationTokenExpiredException", message: "The pagination token is not valid.")
            }
            start = offset
        }
        let page = found.dropFirst(start).prefix(perPage)
        let next = start + page.count < found.count ? Data(String(start + page.count).utf8).base64EncodedString() : ""
        return .object([
            "ResourceTagMappingList": .list(
                page.map { resource in
                    .object([
                        "ResourceARN": .string(resource.arn),
                        "Tags": .list(
                            resource.tags.sorted { $0.key < $1.key }.map {
                                .object(["Key": .string($0.key), "Value": .string($0.value)])
                            }),
                    ])
                }),
            "PaginationToken": .string(next),
        ])
    }

    /// `service` or `service:type` (`elasticache:cluster`, `s3:bucket`, `sns:topic`,
    /// `cloudtrail:trail`) against an ARN.
    static func matches(_ arn: String, type filter: String) -> Bool {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6 else { return false }
        let service = String(parts[2])
        let resource = String(parts[5])
        let type: String
        switch service {
        case "s3": type = "bucket"
        case "sns": type = "topic"
        default: type = String(resource.split(whereSeparator: { $0 == ":" || $0 == "/" }).first ?? "")
        }
        return filter == service || filter == "\(service):\(type)"
    }
}
