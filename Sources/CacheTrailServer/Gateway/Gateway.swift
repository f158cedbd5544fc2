import AWSModels
import AWSWire
import Foundation
import IAM
import Logging
import Metrics

/// The spine of a request: pick the protocol and service, authenticate (SigV4), decode the
/// input from the model, authorize (IAM), run the operation, encode the answer or the error.
public struct Gateway: Sendable {
    let handlers: [String: any ServiceHandler]
    let identities: IdentityStore
    let authorizer: Authorizer
    /// Domain time: session expiry, lifecycles, delivery windows.
    let clock: any ServerClock
    /// Wall time for the SigV4 skew window: clients sign with their real clocks, so a manual
    /// clock moved forward must not make every signature look stale.
    let signingClock: any ServerClock

    public init(
        handlers: [any ServiceHandler], identities: IdentityStore, clock: any ServerClock,
        signingClock: any ServerClock = SystemClock()
    ) {
        var bySigningName: [String: any ServiceHandler] = [:]
        for handler in handlers { bySigningName[handler.model.metadata.signingName] = handler }
        self.handlers = bySigningName
        self.identities = identities
        self.authorizer = Authorizer(identities: identities)
        self.clock = clock
        self.signingClock = signingClock
    }

    /// Answers one AWS API request. Never throws: every failure is an AWS error response.
    public func respond(to request: GatewayRequest, logger baseLogger: Logger) async -> GatewayResponse {
        let requestID = UUID().uuidString.lowercased()
        var logger = baseLogger
        logger[metadataKey: "request.id"] = .string(requestID)
        var wire = WireFormat.guess(request, handlers: handlers)
        var operationName = "-"
        do {
            let authenticated = try await authenticate(request, logger: logger)
            guard let handler = handlers[authenticated.service] else {
                throw AWSError(
                    code: "InvalidClientTokenId",
                    message: "The service \(authenticated.service) in the credential scope is not served here.",
                    httpStatus: 403)
            }
            wire = WireFormat(model: handler.model)
            let (operation, input) = try wire.decode(request)
            operationName = operation.name
            logger[metadataKey: "aws.operation"] = .string(operation.name)
            let call = OperationCall(
                model: handler.model, operation: operation, input: input, principal: authenticated.principal,
                region: authenticated.region, requestID: requestID, sourceIP: request.sourceIP,
                userAgent: request.header("user-agent") ?? "", now: clock.now())
            if let resource = handler.resource(for: call) {
                let prefix = handler.model.metadata.signingName
                try await authorizer.authorize(
                    AccessRequest(
                        action: "\(prefix):\(operation.name)", resource: resource, principal: call.principal,
                        context: [
                            "aws:SourceIp": [request.sourceIP], "aws:PrincipalArn": [call.principal.arn],
                            "aws:PrincipalAccount": [call.principal.accountId], "aws:SecureTransport": ["false"],
                        ]))
            }
            let output = try await handler.handle(call)
            count(wire, operationName, status: 200)
            logger.debug("answered", metadata: ["aws.principal": .string(call.principal.arn)])
            return wire.success(output, operation: operation, requestID: requestID)
        } catch let error as AWSError {
            count(wire, operationName, status: error.httpStatus)
            logger.info(
                "refused",
                metadata: ["aws.error": .string(error.code), "http.status": .stringConvertible(error.httpStatus)])
            return wire.failure(error, requestID: requestID)
        } catch {
            count(wire, operationName, status: 500)
            logger.error("failed", metadata: ["error": .string(String(describing: error))])
            return wire.failure(.internalFailure, requestID: requestID)
        }
    }

    private func count(_ wire: WireFormat, _ operation: String, status: Int) {
        Counter(
            label: "cachetrail_requests_total",
            dimensions: [
                ("service", wire.model?.metadata.endpointPrefix ?? "unknown"), ("operation", operation),
                ("status", String(status)),
            ]
        ).increment()
    }
}
