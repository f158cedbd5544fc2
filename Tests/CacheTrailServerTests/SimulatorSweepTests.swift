import AWSModels
import AWSWire
import Foundation
import IAM
import Persistence
import ServiceContract
import SigV4
import Testing

@testable import CacheTrailServer

/// The policy simulator and the gateway decide alike: for every operation of every service the
/// gateway authorizes, under an allow-everything policy, under no policy, and under a policy
/// that denies every Describe/List/Get action explicitly.
@Suite(.serialized) struct SimulatorSweepTests {
    static let policies: [String: String?] = [
        "everything": #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        "nothing": nil,
        "writer": """
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},\
        {"Effect":"Deny","Action":["*:Describe*","*:List*","*:Get*"],"Resource":"*"}]}
        """,
    ]

    /// An input with every required member present (enums take their first value).
    static func sample(_ name: String, in model: ServiceModel, depth: Int = 0) -> ShapeValue {
        let shape = model.shape(name)
        switch shape.kind {
        case .structure:
            var fields = ShapeFields()
            for member in shape.members where shape.required.contains(member.name) && depth < 6 {
                fields[member.name] = sample(member.shape, in: model, depth: depth + 1)
            }
            return .structure(fields)
        case .list: return .list(shape.element.map { [sample($0.shape, in: model, depth: depth + 1)] } ?? [])
        case .map: return .map([:])
        case .string: return .string(shape.enumValues?.first ?? "sweep")
        case .integer, .long: return .integer(Int64(shape.min ?? 1))
        case .double, .float: return .double(shape.min ?? 1)
        case .boolean: return .boolean(true)
        case .timestamp: return .timestamp(Date(timeIntervalSince1970: 1_800_000_000))
        case .blob: return .blob([])
        }
    }

    @Test func theSimulatorAndTheGatewayAgreeOnEveryOperation() async throws {
        let harness = try await GatewayHarness()
        let iam = (service: "iam", version: "2010-05-08")
        var compared = 0
        var denied = 0
        for (name, policy) in Self.policies.sorted(by: { $0.key < $1.key }) {
            _ = await harness.query("CreateUser", ["UserName": name], service: iam.service, version: iam.version)
            if let policy {
                let put = await harness.query(
                    "PutUserPolicy", ["UserName": name, "PolicyName": "p", "PolicyDocument": policy],
                    service: iam.service, version: iam.version)
                #expect(put.status == 200, "\(put.body)")
            }
            let key = await harness.query(
                "CreateAccessKey", ["UserName": name], service: iam.service, version: iam.version)
            let resolved = try await harness.data.identities.resolve(try #require(key.value("AccessKeyId")))
            let principal = try #require(resolved?.principal)
            for handler in harness.gateway.handlers.values.sorted(by: {
                $0.model.metadata.signingName < $1.model.metadata.signingName
            }) {
                let model = handler.model
                let prefix = Gateway.actionPrefixes[model.metadata.signingName] ?? model.metadata.signingName
                var calls: [(action: String, call: OperationCall)] = []
                for operation in model.operations.values.sorted(by: { $0.name < $1.name }) {
                    let input = operation.input.map { Self.sample($0, in: model) } ?? .structure([:])
                    let call = OperationCall(
                        model: model, operation: operation, input: input, principal: principal, region: harness.region,
                        requestID: "sweep", sourceIP: "192.0.2.10", userAgent: "sweep", now: harness.clock.now())
                    // Services that authorize inside the operation (S3's bucket policies) are not swept here.
                    guard !handler.resources(for: call).isEmpty else { continue }
                    calls.append(("\(prefix):\(operation.name)", call))
                }
                for chunk in stride(from: 0, to: calls.count, by: 100) {
                    let part = Array(calls[chunk..<min(chunk + 100, calls.count)])
                    var parameters = ["PolicySourceArn": principal.arn]
                    for (index, entry) in part.enumerated() {
                        parameters["ActionNames.member.\(index + 1)"] = entry.action
                    }
                    let simulated = await harness.query(
                        "SimulatePrincipalPolicy", parameters, service: iam.service, version: iam.version)
                    #expect(simulated.status == 200, "\(simulated.body)")
                    let decisions = Dictionary(
                        zip(simulated.values("EvalActionName"), simulated.values("EvalDecision")),
                        uniquingKeysWith: { a, _ in a })
                    for entry in part {
                        let allowed = try await harness.data.store.read { [call = entry.call] tx in
                            do {
                                try Gateway.authorize(call, handler: handler, authorizer: Authorizer(), in: tx)
                                return true
                            } catch let error as AWSError where error.code == "AccessDenied" {
                                return false
                            }
                        }
                        #expect((decisions[entry.action] == "allowed") == allowed, "\(name): \(entry.action)")
                        compared += 1
                        if !allowed { denied += 1 }
                    }
                }
            }
        }
        // Every service's operations, under three policies; a good share of them refused.
        #expect(compared > 600)
        #expect(denied > compared / 3)
    }
}
