import AWSModels

/// Finds the operation a REST request addresses from the model's `requestUri` templates
/// (`/{Bucket}/{Key+}?uploads`), methods, and required query and header members. Where
/// several templates fit (PutObject, UploadPart and CopyObject share one), the most specific
/// wins: literal query keys first, then required members present.
public struct RestXMLRouter: Sendable {
    struct Template: Sendable {
        let operation: OperationModel
        /// 0 = `/`, 1 = `/{Bucket}`, 2 = `/{Bucket}/{Key+}`.
        let depth: Int
        let literals: [Literal]
        let requiredQuery: [String]
        let requiredHeaders: [String]
    }

    struct Literal: Sendable {
        let name: String
        let value: String?
    }

    let templates: [Template]

    public init(model: ServiceModel) {
        templates = model.operations.values.sorted { $0.name < $1.name }.map { operation in
            let parts = operation.requestURI.split(separator: "?", maxSplits: 1)
            let path = parts.first.map(String.init) ?? "/"
            let depth = path == "/" ? 0 : (path.contains("{Key+}") ? 2 : 1)
            var literals: [Literal] = []
            if parts.count > 1 {
                for pair in parts[1].split(separator: "&") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    literals.append(Literal(name: String(kv[0]), value: kv.count > 1 ? String(kv[1]) : nil))
                }
            }
            var query: [String] = []
            var headers: [String] = []
            if let input = operation.input {
                let shape = model.shape(input)
                for member in shape.members where shape.required.contains(member.name) {
                    switch member.location {
                    case "querystring": query.append(member.locationName ?? member.name)
                    case "header": headers.append((member.locationName ?? member.name).lowercased())
                    default: break
                    }
                }
            }
            return Template(
                operation: operation, depth: depth, literals: literals, requiredQuery: query, requiredHeaders: headers)
        }
    }

    /// The operation `request` addresses, or nil when none fits.
    public func route(_ request: RestRequest) -> OperationModel? {
        let (bucket, key) = request.bucketAndKey
        let depth = bucket == nil ? 0 : (key == nil ? 1 : 2)
        var best: (score: Int, operation: OperationModel)?
        for template in templates where template.operation.method == request.method && template.depth == depth {
            var score = 0
            var fits = true
            for literal in template.literals {
                guard let value = request.queryValue(literal.name), literal.value == nil || literal.value == value
                else {
                    fits = false
                    break
                }
                score += 100
            }
            for name in template.requiredQuery {
                if request.queryValue(name) == nil { fits = false } else { score += 10 }
            }
            for name in template.requiredHeaders {
                if request.header(name) == nil { fits = false } else { score += 10 }
            }
            if fits && (best == nil || score > best?.score ?? 0) { best = (score, template.operation) }
        }
        return best?.operation
    }
}
