import AWSWire
import ElastiCache
import Foundation
import IAM
import Logging
import Persistence
import ServiceContract

extension Gateway {
    /// Whether `token` signs `user` in to replication group `groupArn` (ElastiCache IAM
    /// authentication): a SigV4-presigned GET of `http://<group id>/?Action=connect&User=<user>`
    /// for the elasticache service, unexpired, by a principal of the group's account that may
    /// `elasticache:Connect` to both the group and the user.
    /// A serverless cache's node runs as group `serverless--<name>`: its tokens name the cache
    /// and carry `ResourceType=ServerlessCache`, and Connect is checked on the cache's ARN.
    package func verifyConnect(groupArn: String, user: String, token: String) async -> Bool {
        let parts = groupArn.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 7, let split = token.range(of: "/?") else { return false }
        let host = String(token[..<split.lowerBound])
        let query = String(token[split.upperBound...])
        let parameters = QueryDecoder.formParameters(Substring(query))
        let serverless = parts[6].hasPrefix(serverlessNodeIdPrefix)
        let cache = serverless ? String(parts[6].dropFirst(serverlessNodeIdPrefix.count)) : parts[6]
        let resource =
            serverless ? "arn:\(parts[1]):elasticache:\(parts[3]):\(parts[4]):serverlesscache:\(cache)" : groupArn
        guard host.lowercased() == cache.lowercased(), parameters["Action"] == "connect", parameters["User"] == user,
            serverless == (parameters["ResourceType"] == "ServerlessCache")
        else { return false }
        let request = GatewayRequest(
            method: "GET", path: "/", query: query, headers: [(name: "host", value: host)], body: [],
            sourceIP: "127.0.0.1")
        guard let caller = try? await authenticate(request, logger: Logger(label: "cachetrail.connect")),
            caller.presigned, caller.service == "elasticache", caller.principal.accountId == parts[4]
        else { return false }
        let userArn = "arn:\(parts[1]):elasticache:\(parts[3]):\(parts[4]):user:\(user)"
        let authorizer = authorizer
        do {
            return try await store.read { tx in
                let identity = try authorizer.identity(of: caller.principal, in: tx)
                for resource in [resource, userArn] {
                    try authorizer.authorize(
                        AccessRequest(action: "elasticache:Connect", resource: resource, principal: caller.principal),
                        identity: identity, in: tx)
                }
                return true
            }
        } catch {
            return false
        }
    }
}
