import AWSWire
import Foundation

/// The caches of one region, and the create, delete and reboot actions: each an ElastiCache
/// API call (2015-02-02) signed with the session's credentials.
struct ElastiCachePages {
    let page: PageContext
    static let version = "2015-02-02"
    static let nodeTypes = [
        "cache.t4g.micro", "cache.t4g.small", "cache.t4g.medium", "cache.t3.micro", "cache.m7g.large",
        "cache.r7g.large",
    ]

    var home: String { "/console/elasticache?region=\(PageContext.query(page.region))" }

    func list() async -> ConsoleResponse {
        var clusters: [[String: Any]] = []
        var groups: [[String: Any]] = []
        var serverless: [[String: Any]] = []
        var next: String?
        var failures: [String] = []
        do {
            var parameters = [("ShowCacheNodeInfo", "true"), ("MaxRecords", "50")]
            if let marker = page.request.parameters["marker"], !marker.isEmpty { parameters.append(("Marker", marker)) }
            let result = try await call("DescribeCacheClusters", parameters)
            clusters = result.list("CacheClusters").map(Self.cluster)
            next = result.child("Marker")?.text
        } catch { failures.append(PageContext.describe(error)) }
        do {
            let result = try await call("DescribeReplicationGroups", [("MaxRecords", "100")])
            groups = result.list("ReplicationGroups").map { group in
                let endpoint =
                    group.list("NodeGroups").first?.child("PrimaryEndpoint")
                    ?? group.child("ConfigurationEndpoint")
                return [
                    "id": group.text("ReplicationGroupId"),
                    "idQuery": PageContext.query(group.text("ReplicationGroupId")),
                    "status": group.text("Status"),
                    "description": group.text("Description"),
                    "members": group.list("MemberClusters").map(\.text).joined(separator: ", "),
                    "endpoint": endpoint.map { "\($0.text("Address")):\($0.text("Port"))" } ?? "",
                ]
            }
        } catch { failures.append(PageContext.describe(error)) }
        do {
            let result = try await call("DescribeServerlessCaches", [])
            serverless = result.list("ServerlessCaches").map { cache in
                let endpoint = cache.child("Endpoint")
                return [
                    "id": cache.text("ServerlessCacheName"), "status": cache.text("Status"),
                    "engine": cache.text("Engine"),
                    "endpoint": endpoint.map { "\($0.text("Address")):\($0.text("Port"))" } ?? "",
                ]
            }
        } catch { failures.append(PageContext.describe(error)) }
        let body = page.template(
            "caches",
            [
                "clusters": clusters, "hasClusters": !clusters.isEmpty, "groups": groups, "hasGroups": !groups.isEmpty,
                "serverless": serverless, "hasServerless": !serverless.isEmpty, "nodeTypes": Self.nodeTypes,
                "next": next.map(PageContext.query) ?? false,
            ])
        // A list the caller may not read shows the service's refusal in its place.
        return await page.render(
            "ElastiCache", body: body, section: .elasticache, failures: Array(Set(failures)).sorted())
    }

    /// A cache cluster, or with replicas (Redis OSS, Valkey) a replication group with automatic
    /// failover, as the console's create page does; an AUTH token, which needs in-transit
    /// encryption, which a standalone Redis OSS/Valkey cluster cannot have, also makes a group.
    func create() async -> ConsoleResponse {
        let form = page.request.form
        let id = form["id"] ?? ""
        let engine = form["engine"] ?? "valkey"
        let nodeType = form["nodeType"] ?? "cache.t4g.micro"
        let replicas = Int(form["replicas"] ?? "") ?? 0
        var parameters: [(String, String)] = [("Engine", engine), ("CacheNodeType", nodeType)]
        if let group = form["parameterGroup"], !group.isEmpty { parameters.append(("CacheParameterGroupName", group)) }
        if let group = form["subnetGroup"], !group.isEmpty { parameters.append(("CacheSubnetGroupName", group)) }
        let token = form["authToken"].flatMap { $0.isEmpty ? nil : $0 }
        if let token { parameters += [("AuthToken", token), ("TransitEncryptionEnabled", "true")] }
        do {
            if engine != "memcached", replicas > 0 || token != nil {
                parameters += [
                    ("ReplicationGroupId", id), ("ReplicationGroupDescription", "Created in the console"),
                    ("NumCacheClusters", String(replicas + 1)),
                    ("AutomaticFailoverEnabled", replicas > 0 ? "true" : "false"),
                ]
                _ = try await call("CreateReplicationGroup", parameters)
                return await page.redirect(home, success: true, "Creating replication group \(id).")
            }
            parameters += [("CacheClusterId", id), ("NumCacheNodes", form["numNodes"] ?? "1")]
            _ = try await call("CreateCacheCluster", parameters)
            return await page.redirect(home, success: true, "Creating cache cluster \(id).")
        } catch {
            return await page.redirect(home, success: false, PageContext.describe(error))
        }
    }

    func delete() async -> ConsoleResponse {
        let id = page.request.form["id"] ?? ""
        return await page.act(home, done: "Deleting cache cluster \(id).") { () throws(APIFailure) in
            _ = try await call("DeleteCacheCluster", [("CacheClusterId", id)])
        }
    }

    /// CreateServerlessCache and DeleteServerlessCache: a name and an engine, AWS's defaults
    /// for the rest.
    func serverless(create: Bool) async -> ConsoleResponse {
        let form = page.request.form
        let id = form["id"] ?? ""
        return await page.act(home, done: "\(create ? "Creating" : "Deleting") serverless cache \(id).") {
            () throws(APIFailure) in
            if create {
                _ = try await call(
                    "CreateServerlessCache", [("ServerlessCacheName", id), ("Engine", form["engine"] ?? "valkey")])
            } else {
                _ = try await call("DeleteServerlessCache", [("ServerlessCacheName", id)])
            }
        }
    }

    func reboot() async -> ConsoleResponse {
        let form = page.request.form
        let id = form["id"] ?? ""
        let nodes = (form["nodes"] ?? "").split(separator: ",").map(String.init)
        var parameters = [("CacheClusterId", id)]
        for (index, node) in nodes.enumerated() {
            parameters.append(("CacheNodeIdsToReboot.CacheNodeId.\(index + 1)", node))
        }
        return await page.act(home, done: "Rebooting cache cluster \(id).") { () throws(APIFailure) in
            _ = try await call("RebootCacheCluster", parameters)
        }
    }

    func call(_ action: String, _ parameters: [(String, String)]) async throws(APIFailure) -> XMLNode {
        try await page.client.query("elasticache", version: Self.version, action: action, parameters)
    }

    static func cluster(_ node: XMLNode) -> [String: Any] {
        let nodes = node.list("CacheNodes")
        let endpoints = nodes.compactMap { $0.child("Endpoint") }.map { "\($0.text("Address")):\($0.text("Port"))" }
        return [
            "id": node.text("CacheClusterId"), "idQuery": PageContext.query(node.text("CacheClusterId")),
            "status": node.text("CacheClusterStatus"),
            "engine": node.text("Engine"), "version": node.text("EngineVersion"),
            "nodeType": node.text("CacheNodeType"), "nodes": node.text("NumCacheNodes"), "endpoints": endpoints,
            "nodeIds": nodes.map { $0.text("CacheNodeId") }.joined(separator: ","),
        ]
    }

}
