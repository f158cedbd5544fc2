import AWSModels
import AWSWire
import ServiceContract
import SigV4

/// The protocol a request speaks, and with it how its input decodes and its answer encodes.
struct WireFormat {
    enum Kind {
        case query, json, s3
        /// Smithy RPC v2 CBOR: `POST /service/<target prefix>/operation/<name>`, CBOR bodies.
        case cbor
    }

    var kind: Kind
    var model: ServiceModel?

    init(model: ServiceModel) {
        self.model = model
        switch model.metadata.protocol {
        case .query: kind = .query
        case .json, .restJSON: kind = .json
        case .restXML: kind = .s3
        }
    }

    /// The model's protocol, or RPC v2 CBOR when the model offers it and the request speaks it.
    init(model: ServiceModel, request: GatewayRequest) {
        self.init(model: model)
        if model.metadata.rpcV2CBOR && Self.speaksRPCv2CBOR(request) { kind = .cbor }
    }

    static func speaksRPCv2CBOR(_ request: GatewayRequest) -> Bool {
        request.path.hasPrefix("/service/") && request.header("smithy-protocol") == "rpc-v2-cbor"
    }

    /// The target prefix and operation name of an RPC v2 path.
    private static func rpcV2Target(_ request: GatewayRequest) -> (prefix: Substring, operation: String)? {
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "service", parts[3] == "operation" else { return nil }
        return (parts[2], String(parts[4]))
    }

    init(kind: Kind) {
        self.kind = kind
        self.model = nil
    }

    /// The format to answer in before the request is authenticated: from the credential scope
    /// if it names a hosted service, else from the request's shape.
    static func guess(_ request: GatewayRequest, handlers: [String: any ServiceHandler]) -> WireFormat {
        if let authorization = try? request.signature.get(), let handler = handlers[authorization.service] {
            return WireFormat(model: handler.model, request: request)
        }
        if speaksRPCv2CBOR(request) { return WireFormat(kind: .cbor) }
        if request.header("x-amz-target") != nil { return WireFormat(kind: .json) }
        let contentType = request.header("content-type") ?? ""
        if contentType.hasPrefix("application/x-www-form-urlencoded") || request.query.contains("Action=") {
            return WireFormat(kind: .query)
        }
        return WireFormat(kind: request.path == "/" && request.method == "POST" ? .query : .s3)
    }

    /// The operation the caller asked for, for recording a call whose input did not decode;
    /// nil when the service has no such operation (an unknown name is never recorded).
    func requestedOperation(_ request: GatewayRequest) -> String? {
        let name: String?
        switch kind {
        case .query:
            name = Self.queryParameters(request)["Action"]
        case .json:
            name = request.header("x-amz-target")?.split(separator: ".").last.map(String.init)
        case .cbor:
            name = Self.rpcV2Target(request)?.operation
        case .s3:
            // Every S3 binding is known, served or not (`OperationRoute.s3`).
            return Self.s3OperationName(request)
        }
        guard let name, model?.operations[name] != nil else { return nil }
        return name
    }

    /// A Query request's parameters: its query string's, and a POST's form body's over them.
    static func queryParameters(_ request: GatewayRequest) -> [String: String] {
        let query = QueryDecoder.formParameters(Substring(request.query))
        guard request.method == "POST" else { return query }
        let body = QueryDecoder.formParameters(utf8: request.body)
        // An SDK's POST has no query string: its body is the parameters, not merged into an
        // empty dictionary key by key (~7,000 instructions a create, callgrind).
        return query.isEmpty ? body : query.merging(body) { _, fromBody in fromBody }
    }

    /// The operation and its decoded input; `payload` says how S3's body is bound to the signature.
    func decode(_ request: GatewayRequest, payload: VerifiedPayload) throws(AWSError) -> (OperationModel, ShapeValue) {
        guard let model else { throw AWSError.internalFailure }
        if kind != .s3 && request.body.count > Self.queryBodyLimit {
            throw AWSError(
                code: "RequestEntityTooLarge", message: "Request body must be at most \(Self.queryBodyLimit) bytes.",
                httpStatus: 413)
        }
        switch kind {
        case .query:
            var parameters = Self.queryParameters(request)
            for key in parameters.keys where key.hasPrefix("X-Amz-") { parameters[key] = nil }
            guard let action = parameters.removeValue(forKey: "Action") else {
                throw AWSError(code: "MissingAction", message: "The request must contain the parameter Action")
            }
            parameters["Version"] = nil
            guard let operation = model.operations[action] else { throw AWSError.invalidAction(action) }
            let input = try operation.input.map { shape throws(AWSError) in
                try QueryDecoder(model: model).decode(parameters, shape: shape)
            }
            return (operation, input ?? .structure([:]))
        case .json:
            let target = request.header("x-amz-target") ?? ""
            let parts = target.split(separator: ".")
            guard let name = parts.last, parts.dropLast().joined(separator: ".") == model.metadata.targetPrefix,
                let operation = model.operations[String(name)]
            else { throw AWSError.unknownOperation(target) }
            let input = try operation.input.map { shape throws(AWSError) in
                try JSONInputDecoder(model: model).decode(request.body, shape: shape)
            }
            return (operation, input ?? .structure([:]))
        case .cbor:
            guard request.method == "POST", let target = Self.rpcV2Target(request),
                target.prefix == model.metadata.targetPrefix ?? "", let operation = model.operations[target.operation]
            else { throw AWSError.unknownOperation(String(request.path.dropFirst())) }
            let input = try operation.input.map { shape throws(AWSError) in
                var parsed = JSONValue.object([:])
                do throws(CBOR.DecodeError) {
                    if !request.body.isEmpty { parsed = try CBOR.decode(request.body) }
                } catch {
                    throw AWSError(
                        code: "SerializationException",
                        message: "The request body is not valid CBOR (at byte \(error.offset): \(error.reason)).")
                }
                return try JSONInputDecoder(model: model).decode(parsed, shape: shape)
            }
            return (operation, input ?? .structure([:]))
        case .s3:
            return try decodeS3(request, model: model, payload: payload)
        }
    }

    func success(_ output: ShapeValue?, operation: OperationModel, requestID: String) -> GatewayResponse {
        guard let model else { return failure(.internalFailure, requestID: requestID) }
        switch kind {
        case .query:
            let body = QueryResponseEncoder(model: model).bytes(output, operation: operation, requestID: requestID)
            return GatewayResponse(
                status: 200, headers: [("content-type", "text/xml"), ("x-amzn-RequestId", requestID)], body: body)
        case .s3:
            return successS3(output, operation: operation, requestID: requestID, model: model)
        case .json:
            let body = output.map { JSONWriter.write($0) } ?? "{}"
            return GatewayResponse(
                status: 200,
                headers: [("content-type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", requestID)], body: body)
        case .cbor:
            return GatewayResponse(
                status: 200, headers: Self.cborHeaders(requestID), body: CBOR.encode(output ?? .structure([:])))
        }
    }

    private static func cborHeaders(_ requestID: String) -> [(name: String, value: String)] {
        [("content-type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"), ("x-amzn-RequestId", requestID)]
    }

    func failure(_ error: AWSError, requestID: String) -> GatewayResponse {
        switch kind {
        case .query:
            return GatewayResponse(
                status: error.httpStatus, headers: [("content-type", "text/xml"), ("x-amzn-RequestId", requestID)],
                body: ErrorEnvelope.query(error, requestID: requestID, namespace: model?.metadata.xmlNamespace))
        case .json:
            return GatewayResponse(
                status: error.httpStatus,
                headers: [("content-type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", requestID)],
                body: ErrorEnvelope.json(error))
        case .cbor:
            return GatewayResponse(
                status: error.httpStatus, headers: Self.cborHeaders(requestID),
                body: CBOR.error(code: error.code, message: error.message))
        case .s3:
            // S3 names authentication failures its own way (InvalidAccessKeyId, AccessDenied, …).
            let error = Self.s3Error(error)
            return GatewayResponse(
                status: error.httpStatus,
                headers: [("content-type", "application/xml"), ("x-amz-request-id", requestID)],
                body: ErrorEnvelope.s3(error, requestID: requestID))
        }
    }
}
