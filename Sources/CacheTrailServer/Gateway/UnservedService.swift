import AWSModels
import AWSWire
import IAM
import Persistence

/// A hosted service whose operations are not served yet: requests authenticate and decode
/// against its model, then answer the protocol's own unsupported-operation error.
struct UnservedService: ServiceHandler {
    let model: ServiceModel

    static let all: [any ServiceHandler] = [
        UnservedService(model: .sns)
    ]

    func resource(for call: OperationCall) -> String? { nil }

    func handle(_ call: OperationCall, in tx: any StateWriter) throws -> ShapeValue? {
        switch model.metadata.protocol {
        case .json, .restJSON:
            throw AWSError.unknownOperation("\(model.metadata.targetPrefix ?? "").\(call.operation.name)")
        default:
            throw AWSError.invalidAction(call.operation.name)
        }
    }
}
