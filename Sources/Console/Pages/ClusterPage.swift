import AWSWire
import Foundation

/// One cache cluster: its nodes and endpoints, groups, pending changes, the service's events
/// (DescribeEvents), ModifyCacheCluster, and its snapshots (Create/Delete/DescribeSnapshots).
struct ClusterPage {
    let page: PageContext
    private var caches: ElastiCachePages { ElastiCachePages(page: page) }
    private var id: String { page.request.parameters["id"] ?? page.request.form["id"] ?? "" }
    private var here: String {
        "/console/elasticache/cluster?region=\(PageContext.query(page.region))&id=\(PageContext.query(id))"
    }

    func show() async -> ConsoleResponse {
        let id = self.id
        let cluster: XMLNode
        do throws(APIFailure) {
            let result = try await caches.call(
                "DescribeCacheClusters", [("CacheClusterId", id), ("ShowCacheNodeInfo", "true")])
            guard let found = result.list("CacheClusters").first else {
                throw APIFailure(code: "CacheClusterNotFound", message: "Cluster not found.")
            }
            cluster = found
        } catch {
            return await page.redirect(caches.home, success: false, PageContext.describe(error))
        }
        var context = ElastiCachePages.cluster(cluster)
        let engine = cluster.text("Engine")
        let nodeType = cluster.text("CacheNodeType")
        context["memcached"] = engine == "memcached"
        context["nodeCount"] = cluster.text("NumCacheNodes")
        context["nodeTypes"] = Set(ElastiCachePages.nodeTypes + [nodeType]).sorted().map {
            ["name": $0, "selected": $0 == nodeType]
        }
        context["parameterGroup"] = cluster.child("CacheParameterGroup")?.text("CacheParameterGroupName") ?? ""
        context["parameterStatus"] = cluster.child("CacheParameterGroup")?.text("ParameterApplyStatus") ?? ""
        context["subnetGroup"] = cluster.text("CacheSubnetGroupName")
        context["replicationGroup"] = cluster.text("ReplicationGroupId")
        context["configurationEndpoint"] =
            cluster.child("ConfigurationEndpoint").map { "\($0.text("Address")):\($0.text("Port"))" } ?? ""
        context["pending"] =
            (cluster.child("PendingModifiedValues")?.children ?? []).map {
                "\($0.name): \($0.children.isEmpty ? $0.text : $0.children.map(\.text).joined(separator: ", "))"
            }.joined(separator: "; ")
        context["nodes"] = cluster.list("CacheNodes").map { node in
            [
                "id": node.text("CacheNodeId"), "status": node.text("CacheNodeStatus"),
                "endpoint": node.child("Endpoint").map { "\($0.text("Address")):\($0.text("Port"))" } ?? "",
                "zone": node.text("CustomerAvailabilityZone"), "created": node.text("CacheNodeCreateTime"),
            ]
        }
        var failures: [String] = []
        if engine != "memcached" {
            do {
                let snapshots = try await caches.call("DescribeSnapshots", [("CacheClusterId", id)]).list("Snapshots")
                context["snapshots"] = snapshots.map {
                    [
                        "name": $0.text("SnapshotName"), "status": $0.text("SnapshotStatus"),
                        "source": $0.text("SnapshotSource"),
                    ]
                }
                context["hasSnapshots"] = !snapshots.isEmpty
            } catch { failures.append(PageContext.describe(error)) }
        }
        do {
            let events = try await caches.call(
                "DescribeEvents", [("SourceIdentifier", id), ("SourceType", "cache-cluster"), ("Duration", "20160")]
            ).list("Events")
            context["events"] = events.map { ["date": $0.text("Date"), "message": $0.text("Message")] }
            context["hasEvents"] = !events.isEmpty
        } catch { failures.append(PageContext.describe(error)) }
        return await page.render(
            id, body: page.template("cluster", context), section: .elasticache, failures: failures)
    }

    func modify() async -> ConsoleResponse {
        let form = page.request.form
        var parameters = [
            ("CacheClusterId", id), ("ApplyImmediately", form["applyImmediately"] == "1" ? "true" : "false"),
        ]
        do {
            // Only what changed is sent, as the console does.
            let current = try await caches.call("DescribeCacheClusters", [("CacheClusterId", id)])
                .list("CacheClusters").first
            if let type = form["nodeType"], type != current?.text("CacheNodeType") {
                parameters.append(("CacheNodeType", type))
            }
            if let count = form["numNodes"], count != current?.text("NumCacheNodes") {
                parameters.append(("NumCacheNodes", count))
            }
            guard parameters.count > 2 else { return await page.redirect(here, success: true, "Nothing to change.") }
            _ = try await caches.call("ModifyCacheCluster", parameters)
            return await page.redirect(here, success: true, "Modifying cache cluster \(id).")
        } catch {
            return await page.redirect(here, success: false, PageContext.describe(error))
        }
    }

    func createSnapshot() async -> ConsoleResponse {
        let name = page.request.form["snapshot"] ?? ""
        return await page.act(here, done: "Creating snapshot \(name).") { () throws(APIFailure) in
            _ = try await caches.call("CreateSnapshot", [("CacheClusterId", id), ("SnapshotName", name)])
        }
    }

    func deleteSnapshot() async -> ConsoleResponse {
        let name = page.request.form["snapshot"] ?? ""
        return await page.act(here, done: "Deleting snapshot \(name).") { () throws(APIFailure) in
            _ = try await caches.call("DeleteSnapshot", [("SnapshotName", name)])
        }
    }
}
