/// The wire protocol a service speaks, from the model's `metadata.protocol`.
public enum WireProtocol: Sendable {
    case query, json, restXML, restJSON
}

/// Service-wide facts from a model's `metadata`.
public struct ServiceMetadata: Sendable {
    public var endpointPrefix: String
    public var signingName: String
    public var apiVersion: String
    public var `protocol`: WireProtocol
    public var xmlNamespace: String?
    /// `X-Amz-Target` prefix (JSON protocols).
    public var targetPrefix: String?
    /// The service is global (IAM, STS): answered from every region.
    public var globalEndpoint: Bool

    public init(
        endpointPrefix: String, signingName: String, apiVersion: String, protocol: WireProtocol,
        xmlNamespace: String?, targetPrefix: String?, globalEndpoint: Bool
    ) {
        self.endpointPrefix = endpointPrefix
        self.signingName = signingName
        self.apiVersion = apiVersion
        self.protocol = `protocol`
        self.xmlNamespace = xmlNamespace
        self.targetPrefix = targetPrefix
        self.globalEndpoint = globalEndpoint
    }
}

/// One operation of a service model.
public struct OperationModel: Sendable {
    public var name: String
    public var method: String
    public var requestURI: String
    public var input: String?
    public var output: String?
    /// The `<XResult>` element of Query responses.
    public var resultWrapper: String?
    public var errors: [String]
    /// The HTTP status of a successful response (REST protocols; 200 unless the model says).
    public var responseCode: Int

    public init(
        _ name: String, method: String, requestURI: String, responseCode: Int = 200, input: String? = nil,
        output: String? = nil, resultWrapper: String? = nil, errors: [String] = []
    ) {
        self.name = name
        self.method = method
        self.requestURI = requestURI
        self.input = input
        self.output = output
        self.resultWrapper = resultWrapper
        self.errors = errors
        self.responseCode = responseCode
    }
}

/// A service's operations and shapes, generated from botocore's model (see `Generated/`).
public struct ServiceModel: Sendable {
    public var metadata: ServiceMetadata
    public var operations: [String: OperationModel]
    public var shapes: [String: Shape]

    public init(
        metadata: ServiceMetadata, operations: [String: OperationModel], shapes: [String: Shape]
    ) {
        self.metadata = metadata
        self.operations = operations
        self.shapes = shapes
    }

    /// The shape named `name`; the generator emits every shape an operation reaches.
    public func shape(_ name: String) -> Shape {
        shapes[name] ?? Self.unnamed
    }

    /// What an unknown (or empty) shape name resolves to.
    private static let unnamed = Shape(.string)

    /// The wire error code of an exception shape: its `awsQueryError` code, else its name.
    public func errorCode(forShape name: String) -> String {
        shapes[name]?.error?.code ?? name
    }

    /// The services this server hosts, by SigV4 signing name.
    public static let hosted: [String: ServiceModel] = [
        "elasticache": .elastiCache,
        "s3": .s3,
        "cloudtrail": .cloudTrail,
        "sns": .sns,
        "sts": .sts,
        "iam": .iam,
    ]
}

/// The HTTP binding of one REST operation (method, URI template with its literal query keys,
/// required query and header members): generated for every operation of the service, served
/// or not, so that routing can name what a request asks for.
public struct OperationRoute: Sendable {
    public var name: String
    public var method: String
    public var requestURI: String
    public var requiredQuery: [String]
    /// Lower-cased header names.
    public var requiredHeaders: [String]

    public init(
        _ name: String, method: String, requestURI: String, requiredQuery: [String] = [],
        requiredHeaders: [String] = []
    ) {
        self.name = name
        self.method = method
        self.requestURI = requestURI
        self.requiredQuery = requiredQuery
        self.requiredHeaders = requiredHeaders
    }
}
