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

    var table: ResourceTable<ServerlessSnapshotRecord> { serverless.context.table(ServerlessSnapshotRecord.self) }

    func snapshot(_ name: String) throws -> ServerlessSnapshotRecord {
        guard let snapshot = try table.find(name.lowercased()) else { throw table.notFound(name) }
        return snapshot
    }

    func take(_ rawName: String, of cache: ServerlessCacheRecord, type: String) throws -> ServerlessSnapshotRecord {
        guard cache.engine != "memcached" else {
            throw call.error(
                .invalidParameterCombinationException, "Snapshots are not supported for Memcached serverless caches.")
        }
        let name = try ClusterValidation.clusterId(rawName, parameter: "ServerlessCacheSnapshotName", maxLength: 255)
        if try table.find(name) != nil {
            throw call.error(.serverlessCacheSnapshotAlreadyExistsFault, "Snapshot \(name) already exists.")
        }
        var snapshot = ServerlessSnapshotRecord(
            name: name, arn: serverless.context.arn(ServerlessSnapshotRecord.arnType, name),
            kmsKeyId: call.string(.KmsKeyId) ?? cache.kmsKeyId, type: type, status: .creating,
            readyAt: serverless.context.readyAt, createTime: call.now,
            cacheName: cache.name, engine: cache.engine, majorEngineVersion: cache.majorEngineVersion,
            tags: try TagOperations.tags(call[.tags]))
        snapshot.sourceNode = "\(cache.nodeCluster.arn)/0001"
        try table.put(snapshot)
        return snapshot
    }

    func create() throws -> ShapeValue {
        let cache = try serverless.cache(try call.required(.serverlessCacheName))
        try serverless.requireAvailable(cache)
        let snapshot = try take(try call.required(.serverlessCacheSnapshotName), of: cache, type: "manual")
        return .object(["ServerlessCacheSnapshot": snapshot.shapeValue])
    }

    func available(_ name: String) throws -> ServerlessSnapshotRecord {
        let snapshot = try snapshot(name)
        guard snapshot.status == .available else {
            throw call.error(
                .invalidServerlessCacheSnapshotStateFault, "Snapshot \(snapshot.name) is \(snapshot.status.rawValue).")
        }
        return snapshot
    }

    func copy() throws -> ShapeValue {
        let source = try available(try call.required(.sourceServerlessCacheSnapshotName))
        var copy = source
        let name = try ClusterValidation.clusterId(
            try call.required(.targetServerlessCacheSnapshotName), parameter: "TargetServerlessCacheSnapshotName",
            maxLength: 255)
        if try table.find(name) != nil {
            throw call.error(.serverlessCacheSnapshotAlreadyExistsFault, "Snapshot \(name) already exists.")
        }
        copy.name = name
        copy.arn = serverless.context.arn(ServerlessSnapshotRecord.arnType, name)
        copy.type = "manual"
        copy.begin(.creating, until: serverless.context.readyAt)
        copy.createTime = call.now
        copy.kmsKeyId = call.string(.KmsKeyId) ?? copy.kmsKeyId
        copy.tags = try TagOperations.tags(call[.tags])
        copy.rdbOf = source.dataKey
        copy.sourceNode = nil
        try table.put(copy)
        return .object(["ServerlessCacheSnapshot": copy.shapeValue])
    }

    func delete() throws -> ShapeValue {
        var snapshot = try available(try call.required(.serverlessCacheSnapshotName))
        try table.delete(snapshot.id)
        snapshot.status = .deleting
        return .object(["ServerlessCacheSnapshot": snapshot.shapeValue])
    }

    /// Writes the snapshot as an RDB file into the bucket, as ElastiCache's service principal.
    func export() throws -> ShapeValue {
        let snapshot = try available(try call.required(.serverlessCacheSnapshotName))
        let bucket = try call.required(.s3BucketName)
        try SnapshotExport.write(
            bucket: bucket, key: "\(snapshot.name).rdb", dataKey: snapshot.dataKey, call: call,
            settings: serverless.context.settings,
            in: tx)
        return .object(["ServerlessCacheSnapshot": snapshot.shapeValue])
    }

    func describe() throws -> ShapeValue {
        var snapshots = try table.list()
        if let name = call.string(.serverlessCacheName) {
            _ = try serverless.cache(name)
            snapshots = snapshots.filter { $0.cacheName == name.lowercased() }
        }
        if let name = call.string(.serverlessCacheSnapshotName) {
            snapshots = snapshots.filter { $0.name == name.lowercased() }
            if snapshots.isEmpty { throw table.notFound(name) }
        }
        if let type = call.string(.snapshotType) { snapshots = snapshots.filter { $0.type == type } }
        let (page, next) = try ServerlessOperations.page(snapshots, id: \.name, call: call)
        return .object([
            "ServerlessCacheSnapshots": .list(page.map(\.shapeValue)), "NextToken": next.map(ShapeValue.string),
        ])
    }
}
