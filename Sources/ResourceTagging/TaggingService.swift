import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// The Resource Groups Tagging API (JSON 1.1, signing name `tagging`): every taggable resource
/// the other services hold in the caller's account and region (ElastiCache clusters and
/// replication groups, S3 buckets, SNS topics, CloudTrail trails), filtered by tags and
/// resource types, paged. Tagging through this API is not served: TagResources and
/// UntagResources report each resource as failed, and the service's own tagging calls apply.
package struct TaggingService: ServiceHandler {
    package let model = ServiceModel.resourceGroupsTagging
    let sources: [any ServiceHandler]

    /// - Parameter sources: the services whose resources this API lists.
    package init(sources: [any ServiceHandler]) {
        self.sources = sources
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
            for arn in arns {
                failed[arn] = .object([
                    "StatusCode": .integer(400), "ErrorCode": .string("InvalidParameterException"),
                    "ErrorMessage": .string(
                        "Tagging through the Resource Groups Tagging API is not served here; use the resource's own service to tag it."
                    ),
                ])
            }
            return .object(["FailedResourcesMap": .map(failed)])
        default:
            throw AWSError.unknownOperation(call.operation.name)
        }
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
