import AWSModels
import AWSWire
import CloudTrail
import Foundation
import IAM
import Logging
import Metrics
import Persistence
import ServiceContract
import SigV4
import Synchronization

/// The spine of a request: pick the protocol and service, authenticate (SigV4), decode the
/// input from the model, authorize (IAM), run the operation, encode the answer or the error.
package struct Gateway: Sendable {
    let handlers: [String: any ServiceHandler]
    let identities: IdentityStore
    let store: any StateStore
    let authorizer = Authorizer()
    let recorder = EventRecorder()
    /// Domain time: session expiry, lifecycles, delivery windows.
    let clock: any ServerClock
    /// Wall time for the SigV4 skew window: clients sign with their real clocks, so a manual
    /// clock moved forward must not make every signature look stale.
    let signingClock: any ServerClock
    /// False only for benchmarks that measure what capture costs: calls are not recorded.
    let capture: Bool
    /// Unsigned requests per client address.
    let unsignedLimiter = RateLimiter()
    /// Told the signing name of each service whose mutating call just committed (the node
    /// processes follow ElastiCache's changes at once instead of at the next tick).
    package var committed: (@Sendable (String) -> Void)?

    package init(
        handlers: [any ServiceHandler], identities: IdentityStore, clock: any ServerClock,
        signingClock: any ServerClock = SystemClock(), capture: Bool = true
    ) {
        var bySigningName: [String: any ServiceHandler] = [:]
        for handler in handlers { bySigningName[handler.model.metadata.signingName] = handler }
        self.handlers = bySigningName
        self.identities = identities
        self.store = identities.store
        self.clock = clock
        self.signingClock = signingClock
        self.capture = capture
    }

    /// Answers one AWS API request. Never throws: every failure is an AWS error response.
    ///
    /// The operation, its authorization and its CloudTrail event run in one transaction: the
    /// response leaves only after the event is durable (synced for a mutating call, journaled
    /// for a read-only one, which reads a snapshot instead of taking the writer). A failed call by an authenticated caller
    /// is recorded too, in a transaction of its own (its state changes were rolled back).
    ///
    /// - Parameters:
    ///   - admitted: the caller as ``admit(_:maxBodyBytes:logger:)`` authenticated it from the
    ///     head (S3), so the signature is not verified twice; its declared payload hash is then
    ///     compared with the body here.
    package func respond(to request: GatewayRequest, logger baseLogger: Logger, admitted: Admitted? = nil) async
        -> GatewayResponse
    {
        OwnThreads.callBegan()
        let requestID = RandomIdentifier.uuid()
        var logger = baseLogger
        logger[metadataKey: "request.id"] = .string(requestID)
        var wire = WireFormat.guess(request, handlers: handlers)
        var operationName = "-"
        var context: CallContext?
        do {
            let authenticated: Authenticated
            if let admitted {
                let body = request.body
                if let declared = admitted.declaredHash,
                    await Offload.run(bytes: body.count, { SigV4.sha256Hex(body) }) != declared
                {
                    throw AWSError(
                        code: "XAmzContentSHA256Mismatch",
                        message: "The provided 'x-amz-content-sha256' header does not match what was computed.")
                }
                authenticated = admitted.caller
            } else {
                authenticated = try await authenticate(request, logger: logger)
            }
            guard let handler = handlers[authenticated.service] else {
                throw AWSError(
                    code: "InvalidClientTokenId",
                    message: "The service \(authenticated.service) in the credential scope is not served here.",
                    httpStatus: 403)
            }
            wire = WireFormat(model: handler.model, request: request)
            let decoded: (OperationModel, ShapeValue)
            do {
                decoded = try wire.decode(request, payload: authenticated.payload)
            } catch {
                // Recorded under the name the caller asked for (the body is parsed again only
                // here), when the service has an operation of that name.
                if let requested = wire.requestedOperation(request) {
                    context = CallContext(
                        model: handler.model, eventName: handler.eventName(for: requested), operation: nil, input: nil,
                        principal: authenticated.principal, region: authenticated.region, requestID: requestID,
                        sourceIP: request.sourceIP, userAgent: request.header("user-agent") ?? "", time: clock.now())
                }
                throw error
            }
            let (operation, input) = decoded
            operationName = operation.name
            logger[metadataKey: "aws.operation"] = .string(operation.name)
            var staging = OperationCall(
                model: handler.model, operation: operation, input: input, principal: authenticated.principal,
                region: authenticated.region, requestID: requestID, sourceIP: request.sourceIP,
                userAgent: request.header("user-agent") ?? "", now: clock.now())
            staging.secureTransport = request.secure
            // Heavy work on the input (an object's bytes) before the transaction, not inside it.
            let unstaged = staging
            staging.staged = await Offload.run(bytes: request.body.count) { handler.stage(unstaged) }
            let call = staging
            var callContext = CallContext(call)
            callContext.eventName = handler.eventName(for: operation.name)
            if wire.kind == .s3 {
                let body = input[member: "Body"].flatMap { if case .blob(let bytes) = $0 { bytes.count } else { nil } }
                callContext.s3 = S3Transfer(
                    host: request.header("host") ?? "",
                    authenticationMethod: authenticated.presigned ? "QueryString" : "AuthHeader",
                    bytesIn: body ?? request.body.count)
            }
            if handler.isDataEvent(operation) {
                callContext.dataResources = handler.dataResources(for: call)
            } else {
                let recorded = handler.recordedResource(for: call)
                callContext.resourceArn =
                    handler.resource(for: call) ?? recorded ?? handler.dataResources(for: call).first?.arn
                // A resource of another account (a cross-account AssumeRole's role): that account
                // receives its own copy of the event.
                let owner = recorded.flatMap {
                    $0.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first
                }
                if let owner, !owner.isEmpty, owner != call.principal.accountId {
                    callContext.sharedWith = String(owner)
                }
            }
            let captured = callContext
            context = captured
            let capture = self.capture
            // Rendered here, in parallel with other calls, not on the single writer thread.
            let prepared = capture ? recorder.prepare(captured) : nil
            if capture, let staged = call.staged as? any StagedAnswer {
                recorder.renderAhead(staged.answer, for: captured)
            }
            let perform: @Sendable (any StateWriter) throws -> ShapeValue? = { [authorizer] tx in
                try Self.authorize(call, handler: handler, authorizer: authorizer, in: tx)
                return try handler.handle(call, in: tx)
            }
            let entries: @Sendable (ShapeValue?, any StateReader) throws -> [JournalEntry] = { [recorder] output, tx in
                guard capture, try Self.shouldRecord(captured, in: tx) else { return [] }
                return recorder.entries(for: captured, prepared: prepared, output: output, error: nil)
            }
            let output: ShapeValue?
            // A read-only call answers from a snapshot, off the writer; its event is appended to
            // the read events (not fsynced, in the journal with the next commit) before the
            // response. One that finds something to save (a due transition, a session) runs
            // again as a write.
            if handler.readsJournal(operation) { try await store.flushReadEvents() }
            if EventRecorder.isReadOnly(captured.eventName),
                let read = try await store.readUnlessWriting({ tx in
                    let output = try perform(tx)
                    return (output: output, events: try entries(output, tx))
                })
            {
                try store.appendReadEvents(read.events)
                output = read.output
            } else {
                do {
                    output = try await store.write { tx in
                        let output = try perform(tx)
                        for entry in try entries(output, tx) { try tx.appendEvent(entry) }
                        return output
                    }
                } catch {
                    if let staged = call.staged { handler.unstage(staged, committed: false) }
                    throw error
                }
                if let staged = call.staged { handler.unstage(staged, committed: true) }
                committed?(handler.model.metadata.signingName)
            }
            count(wire, operationName, status: 200)
            logger.debug("answered", metadata: ["aws.principal": .string(call.principal.arn)])
            return wire.success(output, operation: operation, requestID: requestID)
        } catch let error as AWSError {
            // An unsigned link (SNS) that failed proved nothing: only an authenticated caller's
            // failures are recorded, so strangers cannot write into an account's history.
            if capture, let context, context.principal.kind != .anonymous {
                await recordFailure(context, error, logger: logger)
            }
            count(wire, operationName, status: error.httpStatus)
            var metadata: Logger.Metadata = [
                "aws.error": .string(error.code), "http.status": .stringConvertible(error.httpStatus),
            ]
            if let diagnostic = error.diagnostic { metadata["aws.why"] = .string(diagnostic) }
            logger.info("refused", metadata: metadata)
            return wire.failure(error, requestID: requestID)
        } catch let error as StateStoreError {
            count(wire, operationName, status: 503)
            logger.error("state store unavailable", metadata: ["error": .string(error.description)])
            return wire.failure(.serviceUnavailable, requestID: requestID)
        } catch {
            count(wire, operationName, status: 500)
            logger.error("failed", metadata: ["error": .string(String(describing: error))])
            return wire.failure(.internalFailure, requestID: requestID)
        }
    }

    /// Every resource the call names must be allowed, not only the one its event names.
    /// Unsigned calls (SNS links) carry their own proof: the confirmation token.
    static func authorize(
        _ call: OperationCall, handler: any ServiceHandler, authorizer: Authorizer, in tx: any StateReader
    ) throws {
        // The account's root user is allowed every action here: no identity policy applies to it,
        // and the resource policies that could deny it (S3's, SNS's) are checked by those services.
        guard call.principal.kind != .anonymous, call.principal.kind != .root else { return }
        let conditions = handler.conditionKeys(for: call)
        let evaluated = Authorizer.evaluatesIdentityPolicies(of: call.principal)
        let resources = try handler.resources(for: call).map { try handler.storedResource($0, in: tx) }
        // The caller's policies, limits and tags: read and parsed once for all its resources.
        let identity = resources.isEmpty ? nil : try authorizer.identity(of: call.principal, in: tx)
        for resource in resources {
            // aws:ResourceTag/… are the named resource's own tags, where it has some: read only
            // when policies will be evaluated (not for root's calls).
            var keys = conditions
            for (key, value) in try evaluated ? handler.resourceTags(resource, in: tx) ?? [:] : [:] {
                keys["aws:ResourceTag/\(key)"] = [value]
            }
            try authorizer.authorize(
                accessRequest(call, resource: resource, conditions: keys), identity: identity, in: tx)
        }
    }

    /// Management events always; data events when a logging trail selects them.
    static func shouldRecord(_ context: CallContext, in tx: any StateReader) throws -> Bool {
        guard context.isDataEvent else { return true }
        return try DataEventSelection.wanted(context, readOnly: EventRecorder.isReadOnly(context.eventName), in: tx)
    }

    /// IAM action prefixes that differ from the signing name (the Tagging API's actions are
    /// `tag:GetResources`, `tag:TagResources`, …).
    static let actionPrefixes = ["tagging": "tag"]

    static func accessRequest(_ call: OperationCall, resource: String, conditions: [String: [String]] = [:])
        -> AccessRequest
    {
        var context = call.globalConditionKeys
        context.merge(conditions) { _, service in service }
        let service = call.model.metadata.signingName
        return AccessRequest(
            action: "\(actionPrefixes[service] ?? service):\(call.operation.name)", resource: resource,
            principal: call.principal, context: context)
    }

    /// Records a failed call. If even that cannot be written, the caller still gets the call's
    /// own error: the call changed nothing, so no acknowledged change lacks its event.
    private func recordFailure(_ context: CallContext, _ error: AWSError, logger: Logger) async {
        do {
            // A failed mutating call changed nothing, but its answer still waits for a synced event.
            let durability: Durability = EventRecorder.isReadOnly(context.eventName) ? .journaled : .synced
            _ = try await store.write(durability) { [recorder] tx in
                if try Self.shouldRecord(context, in: tx) {
                    try tx.appendEvent(recorder.entry(for: context, output: nil, error: error))
                }
            }
        } catch {
            logger.error("could not record a failed call", metadata: ["error": .string(String(describing: error))])
        }
    }

    private func count(_ wire: WireFormat, _ operation: String, status: Int) {
        let key = CounterKey(
            service: wire.model?.metadata.endpointPrefix ?? "unknown", operation: operation, status: status)
        if let counter = Self.counters.withLock({ $0[key] }) { return counter.increment() }
        let counter = Counter(
            label: "cachetrail_requests_total",
            dimensions: [("service", key.service), ("operation", operation), ("status", String(status))])
        Self.counters.withLock { counters in
            if counters.count < Self.countersKept { counters[key] = counter }
        }
        counter.increment()
    }

    private struct CounterKey: Hashable {
        var service: String
        var operation: String
        var status: Int
    }

    /// Request counters made so far: making one asks the metrics factory to find it by label
    /// and dimensions (~1 % of a Describe's CPU at 64 connections). Past `countersKept` (names a
    /// client made up), counters are made per call again.
    private static let counters = Mutex<[CounterKey: Counter]>([:])
    private static let countersKept = 4_096
}
