import AWSModels

/// How a service words validation failures: ElastiCache answers `InvalidParameterValue` and
/// `MissingParameter`; IAM and STS answer `ValidationError` ("1 validation error detected: …").
/// JSON 1.1 services answer `ValidationException` with the same wording.
package enum ValidationStyle: Sendable {
    case parameterValue
    case validationError
    case validationException

    package static func of(_ model: ServiceModel) -> ValidationStyle {
        switch (model.metadata.endpointPrefix, model.metadata.protocol) {
        case (_, .json), (_, .restJSON): .validationException
        case ("iam", _), ("sts", _): .validationError
        default: .parameterValue
        }
    }

    private var code: String {
        self == .validationException ? "ValidationException" : "ValidationError"
    }

    /// `memberName` with its first letter lower-cased, as AWS names members in messages.
    static func camel(_ name: String) -> String {
        guard let first = name.first else { return name }
        return first.lowercased() + name.dropFirst()
    }

    /// The error for a required member that is absent.
    package func missing(_ name: String) -> AWSError {
        switch self {
        case .parameterValue: .missingParameter(name)
        case .validationError, .validationException:
            AWSError(
                code: code,
                message:
                    "1 validation error detected: Value null at '\(Self.camel(name))' failed to satisfy constraint: Member must not be null"
            )
        }
    }

    func badType(_ name: String, _ text: String, expected: String) -> AWSError {
        switch self {
        case .parameterValue:
            .invalidParameterValue("Invalid value '\(text)' for parameter \(name): expected \(expected).")
        case .validationError, .validationException:
            AWSError(
                code: code,
                message:
                    "1 validation error detected: Value '\(text)' at '\(Self.camel(name))' failed to satisfy constraint: Member must be \(expected)"
            )
        }
    }

    func constraint(_ name: String, _ shown: String, _ rule: String) -> AWSError {
        switch self {
        case .parameterValue:
            .invalidParameterValue("Invalid value \(shown) for parameter \(name): \(rule).")
        case .validationError, .validationException:
            AWSError(
                code: code,
                message:
                    "1 validation error detected: Value \(shown) at '\(Self.camel(name))' failed to satisfy constraint: Member must \(rule)"
            )
        }
    }
}

/// Checks a decoded value against the model's constraints: required members, lengths,
/// ranges and enumerations. Sensitive values are never echoed in the message.
package struct InputValidator: Sendable {
    package let model: ServiceModel
    package let style: ValidationStyle

    package init(model: ServiceModel) {
        self.model = model
        self.style = .of(model)
    }

    package func validate(_ value: ShapeValue, shape name: String, path: String = "") throws(AWSError) {
        try validate(value, model.shape(name), path: { path })
    }

    /// Checks `value` as `shape`; `path` spells where it is, asked for only by an error (most
    /// values pass, and a path for every nested member and item cost a string each).
    private func validate(_ value: ShapeValue, _ shape: Shape, path: () -> String) throws(AWSError) {
        func below(_ name: String) -> String {
            let parent = path()
            return parent.isEmpty ? name : "\(parent).\(name)"
        }
        switch (shape.kind, value) {
        case (.structure, .structure(let fields)):
            // Members as the model resolved them once; past the last value the structure has,
            // only required members are left to find missing.
            var left = fields.count
            for field in shape.targets(in: model).members {
                guard left > 0, let value = fields[field.name] else {
                    if field.isRequired { throw style.missing(below(field.name)) }
                    continue
                }
                left -= 1
                try validate(value, field.shape, path: { below(field.name) })
            }
        case (.list, .list(let items)):
            try checkLength(items.count, shape, path, shown: "'[…]'")
            if let element = shape.targets(in: model).element {
                for (i, item) in items.enumerated() {
                    try validate(item, element.shape, path: { below(String(i + 1)) })
                }
            }
        case (.map, .map(let entries)):
            try checkLength(entries.count, shape, path, shown: "'{…}'")
            if let valueField = shape.targets(in: model).value {
                for (key, item) in entries { try validate(item, valueField.shape, path: { below(key) }) }
            }
        case (.string, .string(let text)):
            var shown: String { shape.sensitive ? "'***'" : "'\(text)'" }
            if shape.min != nil || shape.max != nil { try checkLength(text.count, shape, path, shown: shown) }
            if let allowed = shape.enumValues, !allowed.contains(text) {
                throw style.constraint(path(), shown, "satisfy enum value set: [\(allowed.joined(separator: ", "))]")
            }
        case (.integer, .integer(let number)), (.long, .integer(let number)):
            if let min = shape.min, Double(number) < min {
                throw style.constraint(path(), "'\(number)'", "have value greater than or equal to \(Int64(min))")
            }
            if let max = shape.max, Double(number) > max {
                throw style.constraint(path(), "'\(number)'", "have value less than or equal to \(Int64(max))")
            }
        default:
            break
        }
    }

    private func checkLength(
        _ count: Int, _ shape: Shape, _ path: () -> String, shown: @autoclosure () -> String
    ) throws(AWSError) {
        if let min = shape.min, Double(count) < min {
            throw style.constraint(path(), shown(), "have length greater than or equal to \(Int(min))")
        }
        if let max = shape.max, Double(count) > max {
            throw style.constraint(path(), shown(), "have length less than or equal to \(Int(max))")
        }
    }
}
