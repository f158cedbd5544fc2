import AWSWire
import Foundation

/// One replication group (DescribeReplicationGroups, DescribeEvents) and its deletion.
struct GroupPage {
    let page: PageContext
    private var caches: ElastiCachePages { ElastiCachePages(page: page) }
    private var id: String { page.request.parameters["id"] ?? page.request.form["id"] ?? "" }

    func show() async -> ConsoleResponse {
        let id = self.id
        let group: XMLNode
        do throws(APIFailure) {
            let result = try await caches.call("DescribeReplicationGroups", [("ReplicationGroupId", id)])
            guard let found = result.list("ReplicationGroups").first else {
                throw APIFailure(code: "ReplicationGroupNotFoundFault", message: "Replication group not found.")
            }
            group = found
        } catch {
            return await page.redirect(caches.home, success: false, PageContext.describe(error))
        }
        func endpoint(_ node: XMLNode?) -> String {
            node.map { "\($0.text("Address")):\($0.text("Port"))" } ?? ""
        }
        var context: [String: Any] = [
            "id": group.text("ReplicationGroupId"), "status": group.text("Status"),
            "description": group.text("Description"), "nodeType": group.text("CacheNodeType"),
            "clusterMode": group.text("ClusterEnabled") == "true" ? "enabled" : "disabled",
            "failover": group.text("AutomaticFailover"), "multiAZ": group.text("MultiAZ"),
            "auth": group.text("AuthTokenEnabled") == "true" ? "AUTH token" : "none",
            "transit": group.text("TransitEncryptionEnabled"),
            // Where clients get the CA the endpoints' certificates chain to (real nodes only).
            "tls": group.text("TransitEncryptionEnabled") == "true",
            "transitMode": group.text("TransitEncryptionMode"),
            "configurationEndpoint": endpoint(group.child("ConfigurationEndpoint")),
        ]
        context["nodeGroups"] = group.list("NodeGroups").map { nodeGroup in
            [
                "id": nodeGroup.text("NodeGroupId"), "status": nodeGroup.text("Status"),
                "primary": endpoint(nodeGroup.child("PrimaryEndpoint")),
                "reader": endpoint(nodeGroup.child("ReaderEndpoint")),
                "members": nodeGroup.list("NodeGroupMembers").map { member in
                    [
                        "cluster": member.text("CacheClusterId"), "role": member.text("CurrentRole"),
                        "endpoint": endpoint(member.child("ReadEndpoint")),
                    ]
                },
            ] as [String: Any]
        }
        var failure: String?
        do {
            let events = try await caches.call(
                "DescribeEvents",
                [("SourceIdentifier", id), ("SourceType", "replication-group"), ("Duration", "20160")]
            ).list("Events")
            context["events"] = events.map { ["date": $0.text("Date"), "message": $0.text("Message")] }
            context["hasEvents"] = !events.isEmpty
        } catch { failure = PageContext.describe(error) }
        return await page.render(
            id, body: page.template("group", context), section: .elasticache, failures: failure.map { [$0] } ?? [])
    }

    func delete() async -> ConsoleResponse {
        let id = self.id
        return await page.act(caches.home, done: "Deleting replication group \(id).") { () throws(APIFailure) in
            _ = try await caches.call("DeleteReplicationGroup", [("ReplicationGroupId", id)])
        }
    }
}
