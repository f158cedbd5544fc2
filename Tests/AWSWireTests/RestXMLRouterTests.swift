import AWSModels
import Foundation
import Testing

@testable import AWSWire

/// Every S3 request routes to the operation it names — served, or named as unserved — and
/// never to another operation of the same method.
struct RestXMLRouterTests {
    let router = RestXMLRouter(routes: OperationRoute.s3, model: .s3)

    /// The smallest request that names `route`: its method, path, literal query keys and
    /// required members.
    static func request(for route: OperationRoute) -> RestRequest {
        let parts = route.requestURI.split(separator: "?", maxSplits: 1)
        var path = String(parts[0]).replacingOccurrences(of: "{Bucket}", with: "bucket")
            .replacingOccurrences(of: "{Key+}", with: "some/key")
        if path.contains("{") { path = "/bucket" }
        var query: [(name: String, value: String)] = []
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                query.append((String(kv[0]), kv.count > 1 ? String(kv[1]) : ""))
            }
        }
        query += route.requiredQuery.map { ($0, "1") }
        return RestRequest(
            method: route.method, path: path, query: query, headers: route.requiredHeaders.map { ($0, "x") },
            body: [])
    }

    static func binding(_ route: OperationRoute) -> String {
        "\(route.method) \(route.requestURI) \(route.requiredQuery) \(route.requiredHeaders)"
    }

    @Test(arguments: OperationRoute.s3)
    func eachOperationRoutesToItself(route: OperationRoute) throws {
        let routed = try #require(router.route(Self.request(for: route)))
        let name: String
        switch routed {
        case .served(let operation):
            name = operation.name
            #expect(ServiceModel.s3.operations[name] != nil)
        case .unserved(let unserved):
            name = unserved
            #expect(ServiceModel.s3.operations[name] == nil)
        }
        // An operation and its deprecated twin share one binding: either names the request.
        let twins = OperationRoute.s3.filter { Self.binding($0) == Self.binding(route) }.map(\.name)
        #expect(twins.contains(name), "\(route.name) routed to \(name)")
    }

    @Test(arguments: [
        ("DELETE", "replication"), ("PUT", "replication"), ("GET", "accelerate"), ("DELETE", "analytics"),
        ("PUT", "requestPayment"), ("DELETE", "metadataTable"),
    ])
    func anUnservedSubresourceIsNeverTheBucketOperation(method: String, subresource: String) throws {
        let request = RestRequest(method: method, path: "/bucket", query: [(subresource, "")], headers: [], body: [])
        guard case .unserved(let name)? = router.route(request) else {
            Issue.record("\(method) ?\(subresource) reached a served operation")
            return
        }
        #expect(name.lowercased().contains(subresource.lowercased()), "named \(name)")
    }

    @Test func aSubresourceTheBestBindingDoesNotConsumeIsNotIgnored() {
        let request = RestRequest(
            method: "GET", path: "/bucket", query: [("list-type", "2"), ("acl", "")], headers: [], body: [])
        guard case .unserved? = router.route(request) else {
            Issue.record("a request naming two subresources was answered by one of them")
            return
        }
    }

    @Test func plainRequestsStillReachTheirOperations() throws {
        let put = RestRequest(method: "PUT", path: "/bucket/k", query: [], headers: [], body: [])
        guard case .served(let operation)? = router.route(put) else {
            Issue.record("PutObject did not route")
            return
        }
        #expect(operation.name == "PutObject")
        let get = RestRequest(method: "GET", path: "/bucket", query: [("list-type", "2")], headers: [], body: [])
        guard case .served(let list)? = router.route(get) else {
            Issue.record("ListObjectsV2 did not route")
            return
        }
        #expect(list.name == "ListObjectsV2")
    }
}
