import AWSModels
import AWSWire
import ServiceContract

extension TrailOperations {
    /// The fields an advanced event selector may name (CloudTrail's AdvancedFieldSelector).
    /// The data resource types basic selectors take, with the service their values' ARNs name
    /// (`arn:PARTITION:s3…`).
    static let basicDataTypes = [
        "AWS::S3::Object": "s3", "AWS::Lambda::Function": "lambda", "AWS::DynamoDB::Table": "dynamodb",
    ]

    static let advancedFields: Set<String> = [
        "eventCategory", "eventSource", "eventName", "eventType", "readOnly", "resources.type", "resources.ARN",
        "errorCode", "sessionCredentialFromConsole", "userIdentity.arn", "vpcEndpointId",
    ]

    func putEventSelectors() throws -> ShapeValue {
        var trail = try home(try call.required(.trailName))
        let basic = call[.eventSelectors]
        let advanced = call[.advancedEventSelectors]
        guard (basic == nil) != (advanced == nil) else {
            throw error(
                .invalidEventSelectorsException, "Specify either EventSelectors or AdvancedEventSelectors, not both.")
        }
        if let selectors = basic?.listValue {
            guard (1...5).contains(selectors.count) else {
                throw error(.invalidEventSelectorsException, "A trail can have between 1 and 5 event selectors.")
            }
            for selector in selectors {
                for resource in selector[member: "DataResources"]?.listValue ?? [] {
                    let values = (resource[member: "Values"]?.listValue ?? []).compactMap(\.stringValue)
                    // Basic selectors take the three types AWS lists; Lambda functions and
                    // DynamoDB tables are not hosted here, so their selectors never match.
                    let type = resource[member: "Type"]?.stringValue ?? ""
                    guard let service = Self.basicDataTypes[type],
                        values.allSatisfy({ Partition.afterPartition($0)?.hasPrefix(service) ?? false })
                    else {
                        throw error(
                            .invalidEventSelectorsException,
                            "Data resources must be AWS::S3::Object, AWS::Lambda::Function or AWS::DynamoDB::Table with ARNs of that service."
                        )
                    }
                }
            }
        }
        for selector in advanced?.listValue ?? [] {
            for field in selector[member: "FieldSelectors"]?.listValue ?? [] {
                let name = field[member: "Field"]?.stringValue ?? ""
                guard Self.advancedFields.contains(name) else {
                    throw error(.invalidEventSelectorsException, "Invalid field name: \(name).")
                }
            }
            for field in selector[member: "FieldSelectors"]?.listValue ?? []
            where field[member: "Field"]?.stringValue == "resources.type" {
                // One resource type per selector, AWS::<service>::<type>; types of services not
                // hosted here (Lambda, DynamoDB, …) are accepted and never match.
                guard let types = field[member: "Equals"]?.listValue, types.count == 1,
                    let type = types[0].stringValue, type.wholeMatch(of: /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/) != nil
                else {
                    throw error(
                        .invalidEventSelectorsException,
                        "resources.type must equal one resource type, such as AWS::S3::Object or AWS::SNS::Topic.")
                }
            }
        }
        trail.eventSelectors = basic
        trail.advancedEventSelectors = advanced
        try save(trail)
        return .object(["TrailARN": .string(trail.arn), "EventSelectors": basic, "AdvancedEventSelectors": advanced])
    }

    func getEventSelectors() throws -> ShapeValue {
        let trail = try trail(try call.required(.trailName))
        let defaults = ShapeValue.list([
            .object([
                "ReadWriteType": .string("All"), "IncludeManagementEvents": .boolean(true), "DataResources": .list([]),
                "ExcludeManagementEventSources": .list([]),
            ])
        ])
        return .object([
            "TrailARN": .string(trail.arn),
            "EventSelectors": trail.advancedEventSelectors == nil ? trail.eventSelectors ?? defaults : nil,
            "AdvancedEventSelectors": trail.advancedEventSelectors,
        ])
    }

    func insightSelectors(put: Bool) throws -> ShapeValue {
        let name = try call.required(.trailName)
        var trail = put ? try home(name) : try trail(name)
        if put {
            trail.insightSelectors = call[.insightSelectors]
            try save(trail)
        } else if trail.insightSelectors == nil {
            throw error(.insightNotEnabledException, "Trail \(trail.name) does not have Insights enabled.")
        }
        return .object(["TrailARN": .string(trail.arn), "InsightSelectors": trail.insightSelectors])
    }

    func tags() throws -> ShapeValue {
        switch call.operation.name {
        case "ListTags":
            let ids = (call[.resourceIdList]?.listValue ?? []).compactMap(\.stringValue)
            var list: [ShapeValue] = []
            for id in ids {
                let trail = try trail(id)
                list.append(
                    .object([
                        "ResourceId": .string(trail.arn),
                        "TagsList": .list(
                            trail.tags.sorted { $0.key < $1.key }.map {
                                .object(["Key": .string($0.key), "Value": .string($0.value)])
                            }),
                    ]))
            }
            return .object(["ResourceTagList": .list(list)])
        default:
            var trail = try home(try call.required(.resourceId))
            for (key, value) in Self.tags(call[.tagsList]) {
                if call.operation.name == "AddTags" { trail.tags[key] = value } else { trail.tags[key] = nil }
            }
            guard trail.tags.count <= 50 else {
                throw error(.tagsLimitExceededException, "The number of tags on the trail exceeds 50.")
            }
            try save(trail)
            return .object([:])
        }
    }
}
