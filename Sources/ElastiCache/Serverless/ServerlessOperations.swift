import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Serverless caches: Create, Describe, Modify, Delete (with a final snapshot), restores from
/// serverless snapshots, user groups for Redis OSS and Valkey.
struct ServerlessOperations {
    let context: ElastiCacheCall
    var call: OperationCall { context.call }
    var tx: any StateWriter { context.tx }
    var scope: String { context.scope }

    var table: ResourceTable<ServerlessCacheRecord> { context.table(ServerlessCacheRecord.self) }

    func cache(_ name: String) throws -> ServerlessCacheRecord {
        guard let cache = try table.find(name.lowercased()) else { throw table.notFound(name) }
        return cache
    }

    func requireAvailable(_ cache: ServerlessCacheRecord) throws {
        guard cache.status == .available else {
            throw call.error(
                .invalidServerlessCacheStateFault,
                "Serverless cache \(cache.name) is \(cache.status.rawValue), not available.")
        }
    }

    /// A user group may be attached to Redis OSS or Valkey caches only, and must be active.
    func checkUserGroup(_ id: String, engine: String) throws {
        guard engine != "memcached" else {
            throw call.error(.invalidParameterCombinationException, "User groups are not supported for Memcached.")
        }
        let group = try UserOperations(context: context).group(id)
        guard group.status == .active else {
            throw call.error(.invalidUserGroupStateFault, "User group \(id) is \(group.status.rawValue), not active.")
        }
    }

    func create() throws -> ShapeValue {
        let name = try ClusterValidation.clusterId(
            try call.required(.serverlessCacheName), parameter: "ServerlessCacheName")
        let engine = try call.required(.engine).lowercased()
        guard let version = ServerlessCacheRecord.versions[engine] else {
            throw AWSError.invalidParameterValue("Engine must be redis, valkey or memcached.")
        }
        if let major = call.string(.majorEngineVersion), major != version.major {
            throw AWSError.invalidParameterValue("MajorEngineVersion \(major) is not available for \(engine).")
        }
        let connectionType = call.string(.connectionType) ?? "vpc"
        guard connectionType == "vpc" || connectionType == "public" else {
            throw AWSError.invalidParameterValue("ConnectionType must be vpc or public.")
        }
        if connectionType == "public" {
            throw call.error(
                .invalidParameterCombinationException,
                "ConnectionType public requires Valkey 9 or above; serverless \(engine) here is version \(version.full)."
            )
        }
        if try table.find(name) != nil {
            throw call.error(.serverlessCacheAlreadyExistsFault, "Serverless cache \(name) already exists.")
        }
        var restoreFrom: [String] = []
        for arn in context.strings(.snapshotArnsToRestore) ?? [] {
            let snapshotName = String(arn.split(separator: ":").last ?? "")
            let snapshot = try ServerlessSnapshotOperations(serverless: self).snapshot(snapshotName)
            restoreFrom.append(snapshot.dataKey)
            // Snapshots hold Redis OSS or Valkey data: available ones restore into either, never Memcached.
            guard snapshot.status == .available, engine != "memcached" else {
                throw call.error(
                    .invalidParameterCombinationException,
                    "Snapshot \(snapshotName) cannot be restored into \(engine).")
            }
        }
        if let id = call.string(.userGroupId) { try checkUserGroup(id, engine: engine) }
        var cache = ServerlessCacheRecord(
            name: name, description: call.string(.description) ?? "", engine: engine,
            majorEngineVersion: version.major,
            usageLimits: try ServerlessUsageLimits.validated(call[.cacheUsageLimits], in: call),
            kmsKeyId: call.string(.KmsKeyId), securityGroupIds: context.strings(.securityGroupIds) ?? [],
            subnetIds: context.strings(.subnetIds) ?? [], userGroupId: call.string(.userGroupId),
            snapshotRetentionLimit: call.int(.snapshotRetentionLimit) ?? 0,
            dailySnapshotTime: call.string(.dailySnapshotTime) ?? "05:00", status: .creating, readyAt: context.readyAt,
            createTime: call.now, arn: context.arn(ServerlessCacheRecord.arnType, name),
            tags: try TagOperations.tags(call[.tags]))
        cache.connectionType = connectionType
        cache.restoreFrom = restoreFrom.isEmpty ? nil : restoreFrom
        if let id = cache.userGroupId {
            try UserOperations(context: context).attach([id], to: name, serverless: true)
        }
        try table.put(cache)
        return .object(["ServerlessCache": cache.shapeValue(region: call.region, endpoints: context.settings.endpoints)]
        )
    }

    func modify() throws -> ShapeValue {
        var cache = try cache(try call.required(.serverlessCacheName))
        try requireAvailable(cache)
        let users = UserOperations(context: context)
        if call[.removeUserGroup]?.boolValue == true {
            if call.string(.userGroupId) != nil {
                throw call.error(
                    .invalidParameterCombinationException, "RemoveUserGroup and UserGroupId cannot be given together.")
            }
            try users.attach(cache.userGroupId.map { [$0] } ?? [], to: cache.name, serverless: true, detach: true)
            cache.userGroupId = nil
        }
        if let id = call.string(.userGroupId) {
            try checkUserGroup(id, engine: cache.engine)
            try users.attach(cache.userGroupId.map { [$0] } ?? [], to: cache.name, serverless: true, detach: true)
            try users.attach([id], to: cache.name, serverless: true)
            cache.userGroupId = id
        }
        if let description = call.string(.description) { cache.description = description }
        if let limits = call[.cacheUsageLimits] {
            cache.usageLimits = try ServerlessUsageLimits.validated(limits, in: call)
        }
        if let groups = context.strings(.securityGroupIds) { cache.securityGroupIds = groups }
        if let limit = call.int(.snapshotRetentionLimit) { cache.snapshotRetentionLimit = limit }
        if let time = call.string(.dailySnapshotTime) { cache.dailySnapshotTime = time }
        if let engine = call.string(.engine)?.lowercased(), engine != cache.engine {
            guard cache.engine == "redis", engine == "valkey", let version = ServerlessCacheRecord.versions[engine]
            else {
                throw call.error(
                    .invalidParameterCombinationException, "Only Redis OSS caches can move to another engine (Valkey)."
                )
            }
            cache.engine = engine
            cache.majorEngineVersion = version.major
        }
        cache.begin(.modifying, until: context.readyAt)
        try table.put(cache)
        return .object(["ServerlessCache": cache.shapeValue(region: call.region, endpoints: context.settings.endpoints)]
        )
    }

    func delete() throws -> ShapeValue {
        var cache = try cache(try call.required(.serverlessCacheName))
        try requireAvailable(cache)
        if let name = call.string(.finalSnapshotName) {
            _ = try ServerlessSnapshotOperations(serverless: self).take(name, of: cache, type: "manual")
        }
        try UserOperations(context: context).attach(
            cache.userGroupId.map { [$0] } ?? [], to: cache.name, serverless: true, detach: true)
        cache.begin(.deleting, until: context.readyAt)
        try table.put(cache)
        return .object(["ServerlessCache": cache.shapeValue(region: call.region, endpoints: context.settings.endpoints)]
        )
    }

    func describe() throws -> ShapeValue {
        var caches = try table.list()
        if let name = call.string(.serverlessCacheName) {
            caches = caches.filter { $0.name == name.lowercased() }
            if caches.isEmpty { throw table.notFound(name) }
        }
        let (page, next) = try Self.page(caches, id: \.name, call: call)
        return .object([
            "ServerlessCaches": .list(
                page.map { $0.shapeValue(region: call.region, endpoints: context.settings.endpoints) }),
            "NextToken": next.map(ShapeValue.string),
        ])
    }

    /// MaxResults (1-100, default 50) and NextToken paging of the serverless operations.
    static func page<T>(_ items: [T], id: (T) -> String, call: OperationCall) throws -> ([T], String?) {
        let maxResults = call.int(.maxResults) ?? 50
        guard (1...100).contains(maxResults) else {
            throw AWSError.invalidParameterValue("The parameter MaxResults must be between 1 and 100.")
        }
        return try Marker.page(items, id: id, marker: call.string(.NextToken), maxRecords: maxResults)
    }
}
