import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract
import Testing

@testable import ElastiCache

/// A CreateCacheCluster staged before its transaction (record built, document encoded, answer
/// rendered outside the writer) stores and answers exactly what one built inside it does.
struct StagedCreateTests {
    let service = ElastiCacheService()

    func call(_ input: ShapeFields) throws -> OperationCall {
        OperationCall(
            model: .elastiCache, operation: try #require(ServiceModel.elastiCache.operations["CreateCacheCluster"]),
            input: .structure(input), principal: .root(account: "111122223333"), region: "eu-west-1",
            requestID: "r", sourceIP: "127.0.0.1", userAgent: "test", now: Date(timeIntervalSince1970: 1_700_000_000))
    }

    let input: ShapeFields = [
        "CacheClusterId": .string("Orders"), "Engine": .string("memcached"), "CacheNodeType": .string("cache.t3.micro"),
        "NumCacheNodes": .integer(2), "AZMode": .string("cross-az"),
        "PreferredMaintenanceWindow": .string("mon:01:00-mon:02:00"),
        "Tags": .list([.structure(["Key": .string("team"), "Value": .string("a\"b")])]),
    ]

    /// The answer, the stored cluster and the account's usage after `call` in a store of its own.
    func created(_ call: OperationCall) async throws -> (ShapeValue?, CacheClusterRecord?, Data?) {
        let store = try SQLiteStateStore(path: nil)
        let service = service
        return try await store.write { tx in
            let answer = try service.handle(call, in: tx)
            let scope = "111122223333/eu-west-1"
            let cluster = try tx.get(
                CacheClusterRecord.self, kind: CacheClusterOperations.kind, scope: scope, id: "orders")
            let usage = try tx.get(
                CacheClusterOperations.Usage.self, kind: CacheClusterOperations.Usage.kind, scope: scope,
                id: CacheClusterOperations.Usage.id)
            return (answer, cluster, try usage.map { try DocumentEncoder.encode($0) })
        }
    }

    @Test func aStagedCreateStoresAndAnswersWhatAnUnstagedOneDoes() async throws {
        var staged = try call(input)
        let parts = try #require(service.stage(staged))
        staged.staged = parts
        let expected = try #require((parts as? any StagedAnswer)?.answer)
        let (stagedAnswer, stagedCluster, stagedUsage) = try await created(staged)
        let (plainAnswer, plainCluster, plainUsage) = try await created(try call(input))
        // The staged answer is the one announced before the transaction, its cluster encoded.
        #expect(stagedAnswer == expected)
        guard case .encoded(let cluster)? = stagedAnswer?[member: "CacheCluster"] else {
            Issue.record("the staged answer's cluster is not encoded")
            return
        }
        #expect(.object(["CacheCluster": cluster.value]) == plainAnswer)
        #expect(stagedCluster != nil)
        #expect(stagedCluster == plainCluster)
        #expect(
            try stagedCluster.map { try DocumentEncoder.encode($0) }
                == plainCluster.map { try DocumentEncoder.encode($0) })
        #expect(stagedUsage != nil)
        #expect(stagedUsage == plainUsage)
    }

    @Test func restoresAndRefusedInputsAreLeftToTheTransaction() throws {
        #expect(service.stage(try call(input.merging(["SnapshotName": .string("nightly")]) { $1 })) == nil)
        #expect(service.stage(try call(input.filter { $0.key != "Engine" })) == nil)
        #expect(
            service.stage(try call(input.merging(["PreferredMaintenanceWindow": .string("someday")]) { $1 })) == nil)
        var describe = try call(input)
        describe = OperationCall(
            model: .elastiCache, operation: try #require(ServiceModel.elastiCache.operations["DescribeCacheClusters"]),
            input: .structure([:]), principal: describe.principal, region: describe.region, requestID: "r",
            sourceIP: "127.0.0.1", userAgent: "test", now: describe.now)
        #expect(service.stage(describe) == nil)
    }
}
