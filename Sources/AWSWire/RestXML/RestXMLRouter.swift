import AWSModels

/// Finds the operation a REST request addresses from the HTTP bindings of *every* operation of
/// the service (`/{Bucket}/{Key+}?uploads`, methods, required query and header members), served
/// or not. Where several bindings fit (PutObject, UploadPart and CopyObject share one), the most
/// specific wins: literal query keys first, then required members present.
///
/// A request is never answered by an operation it does not name: one that names an operation
/// we do not serve, or a subresource its best binding does not consume (`DELETE /b?cors` is
/// not `DeleteBucket`), routes to `.unserved`.
package struct RestXMLRouter: Sendable {
    /// Where a request goes.
    package enum Route: Sendable {
        case served(OperationModel)
        /// An operation of the service that is not served here, by its name.
        case unserved(String)
    }

    struct Template: Sendable {
        let route: OperationRoute
        /// 0 = `/`, 1 = `/{Bucket}`, 2 = `/{Bucket}/{Key+}`.
        let depth: Int
        /// A binding without `{Bucket}` (`/WriteGetObjectResponse`) matches only its own path.
        let literalPath: String?
        let literals: [Literal]
    }

    struct Literal: Sendable {
        let name: String
        let value: String?
    }

    let templates: [Template]
    let served: [String: OperationModel]
    /// Every literal query key of any binding: S3's subresources.
    let subresources: Set<String>

    package init(routes: [OperationRoute], model: ServiceModel) {
        served = model.operations
        templates = routes.map { route in
            let parts = route.requestURI.split(separator: "?", maxSplits: 1)
            let path = parts.first.map(String.init) ?? "/"
            let depth = path == "/" ? 0 : (path.contains("{Key+}") ? 2 : 1)
            var literals: [Literal] = []
            if parts.count > 1 {
                for pair in parts[1].split(separator: "&") {
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    literals.append(Literal(name: String(kv[0]), value: kv.count > 1 ? String(kv[1]) : nil))
                }
            }
            return Template(
                route: route, depth: depth, literalPath: path == "/" || path.contains("{") ? nil : path,
                literals: literals)
        }
        subresources = Set(templates.flatMap { $0.literals.map(\.name) })
    }

    /// The operation `request` addresses, or nil when no binding of the method fits.
    package func route(_ request: RestRequest) -> Route? {
        let (bucket, key) = request.bucketAndKey
        let depth = bucket == nil ? 0 : (key == nil ? 1 : 2)
        var best: (score: Int, template: Template)?
        for template in templates where template.route.method == request.method {
            if let literalPath = template.literalPath {
                guard request.path == literalPath else { continue }
            } else if template.depth != depth {
                continue
            }
            guard let score = score(template, request) else { continue }
            if let current = best {
                // Equal bindings (an API and its deprecated twin): the served one answers.
                let preferred =
                    score > current.score
                    || (score == current.score && served[template.route.name] != nil
                        && served[current.template.route.name] == nil)
                if !preferred { continue }
            }
            best = (score, template)
        }
        guard let best else { return nil }
        let consumed = Set(best.template.literals.map(\.name))
        if let stray = request.query.first(where: { subresources.contains($0.name) && !consumed.contains($0.name) }) {
            // Named after the operation of this method that the stray subresource belongs to.
            let owner = templates.first { template in
                template.route.method == request.method && template.literals.contains { $0.name == stray.name }
            }
            return .unserved(owner?.route.name ?? best.template.route.name)
        }
        if let operation = served[best.template.route.name] { return .served(operation) }
        return .unserved(best.template.route.name)
    }

    /// How specifically `template` fits `request`, or nil when it does not.
    private func score(_ template: Template, _ request: RestRequest) -> Int? {
        var score = 0
        for literal in template.literals {
            guard let value = request.queryValue(literal.name), literal.value == nil || literal.value == value else {
                return nil
            }
            score += 100
        }
        for name in template.route.requiredQuery {
            guard request.queryValue(name) != nil else { return nil }
            score += 10
        }
        for name in template.route.requiredHeaders {
            guard request.header(name) != nil else { return nil }
            score += 10
        }
        return score
    }
}
