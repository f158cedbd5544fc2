import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// Serverless snapshots: Create, Copy, Delete, Describe, and Export into an S3 bucket.
struct ServerlessSnapshotOperations {
    let serverless: ServerlessOperations
    var call: OperationCall { serverless.call }
    var tx: any StateWriter { serverless.tx }
    var scope: String { serverless.scope }

    func notFound(_ name: String) -> AWSError {
        call.error("ServerlessCacheSnapshotNotFoundFault", "Serverless cache snapshot \(name) not found.")
    }

    func all() throws -> [ServerlessSnapshotRecord] {
        try tx.list(ServerlessSnapshotRecord.self, kind: ServerlessSnapshotRecord.kind, scope: scope).map { snapshot in
            var snapshot = snapshot
            if let ready = snapshot.readyAt, ready <= call.now {
                snapshot.status = "available"
                snapshot.readyAt = nil
                try save(snapshot)
            }
            return snapshot
        }
    }

    func snapshot(_ name: String) throws -> ServerlessSnapshotRecord {
        guard let snapshot = try all().first(where: { $0.name == name.lowercased() }) else { throw notFound(name) }
        return snapshot
    }

    func save(_ snapshot: ServerlessSnapshotRecord) throws {
        try tx.put(snapshot, kind: ServerlessSnapshotRecord.kind, scope: scope, id: snapshot.name)
    }

    func take(_ rawName: String, of cache: ServerlessCacheRecord, type: String) throws -> ServerlessSnapshotRecord {
        guard cache.engine != "memcached" else {
            throw call.error(
                "InvalidParameterCombinationException", "Snapshots are not supported for Memcached serverless caches.")
        }
        let name = try ClusterValidation.clusterId(rawName, parameter: "ServerlessCacheSnapshotName", maxLength: 255)
        if try all().contains(where: { $0.name == name }) {
            throw call.error("ServerlessCacheSnapshotAlreadyExistsFault", "Snapshot \(name) already exists.")
        }
        let snapshot = ServerlessSnapshotRecord(
            name: name, arn: "arn:aws:elasticache:\(call.region):\(call.account):serverlesscachesnapshot:\(name)",
            kmsKeyId: call.string("KmsKeyId") ?? cache.kmsKeyId, type: type, status: "creating",
            readyAt: call.now.addingTimeInterval(serverless.clusters.settings.lifecycleSeconds), createTime: call.now,
            cacheName: cache.name, engine: cache.engine, majorEngineVersion: cache.majorEngineVersion,
            tags: try TagOperations.tags(call.input[member: "Tags"]))
        try save(snapshot)
        return snapshot
    }

    func create() throws -> ShapeValue {
        let cache = try serverless.cache(try call.required("ServerlessCacheName"))
        try serverless.requireAvailable(cache)
        let snapshot = try take(try call.required("ServerlessCacheSnapshotName"), of: cache, type: "manual")
        return .object(["ServerlessCacheSnapshot": snapshot.shapeValue])
    }

    func available(_ name: String) throws -> ServerlessSnapshotRecord {
        let snapshot = try snapshot(name)
        guard snapshot.status == "available" else {
            throw call.error(
                "InvalidServerlessCacheSnapshotStateFault", "Snapshot \(snapshot.name) is \(snapshot.status).")
        }
        return snapshot
    }

    func copy() throws -> ShapeValue {
        var copy = try available(try call.required("SourceServerlessCacheSnapshotName"))
        let name = try ClusterValidation.clusterId(
            try call.required("TargetServerlessCacheSnapshotName"), parameter: "TargetServerlessCacheSnapshotName",
            maxLength: 255)
        if try all().contains(where: { $0.name == name }) {
            throw call.error("ServerlessCacheSnapshotAlreadyExistsFault", "Snapshot \(name) already exists.")
        }
        copy.name = name
        copy.arn = "arn:aws:elasticache:\(call.region):\(call.account):serverlesscachesnapshot:\(name)"
        copy.type = "manual"
        copy.status = "creating"
        copy.readyAt = call.now.addingTimeInterval(serverless.clusters.settings.lifecycleSeconds)
        copy.createTime = call.now
        copy.kmsKeyId = call.string("KmsKeyId") ?? copy.kmsKeyId
        copy.tags = try TagOperations.tags(call.input[member: "Tags"])
        try save(copy)
        return .object(["ServerlessCacheSnapshot": copy.shapeValue])
    }

    func delete() throws -> ShapeValue {
        var snapshot = try available(try call.required("ServerlessCacheSnapshotName"))
        _ = try tx.delete(kind: ServerlessSnapshotRecord.kind, scope: scope, id: snapshot.name)
        snapshot.status = "deleting"
        return .object(["ServerlessCacheSnapshot": snapshot.shapeValue])
    }

    /// Writes the snapshot as an RDB file into the bucket, as ElastiCache's service principal.
    func export() throws -> ShapeValue {
        let snapshot = try available(try call.required("ServerlessCacheSnapshotName"))
        let bucket = try call.required("S3BucketName")
        try SnapshotExport.write(
            bucket: bucket, key: "\(snapshot.name).rdb", call: call, settings: serverless.clusters.settings, in: tx)
        return .object(["ServerlessCacheSnapshot": snapshot.shapeValue])
    }

    func describe() throws -> ShapeValue {
        var snapshots = try all()
        if let name = call.string("ServerlessCacheName") {
            _ = try serverless.cache(name)
            snapshots = snapshots.filter { $0.cacheName == name.lowercased() }
        }
        if let name = call.string("ServerlessCacheSnapshotName") {
            snapshots = snapshots.filter { $0.name == name.lowercased() }
            if snapshots.isEmpty { throw notFound(name) }
        }
        if let type = call.string("SnapshotType") { snapshots = snapshots.filter { $0.type == type } }
        let (page, next) = try ServerlessOperations.page(snapshots, id: \.name, call: call)
        return .object([
            "ServerlessCacheSnapshots": .list(page.map(\.shapeValue)), "NextToken": next.map(ShapeValue.string),
        ])
    }
}
