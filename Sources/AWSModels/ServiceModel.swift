/// The wire protocol a service speaks, from the model's `metadata.protocol`.
package enum WireProtocol: Sendable {
    case query, json, restXML, restJSON
}

/// Service-wide facts from a model's `metadata`.
package struct ServiceMetadata: Sendable {
    package var endpointPrefix: String
    package var signingName: String
    package var apiVersion: String
    package var `protocol`: WireProtocol
    /// The model also offers Smithy RPC v2 CBOR (`/service/<target prefix>/operation/<name>`),
    /// which current SDKs prefer where it is listed first.
    package var rpcV2CBOR: Bool
    package var xmlNamespace: String?
    /// `X-Amz-Target` prefix (JSON protocols).
    package var targetPrefix: String?
    /// The service is global (IAM, STS): answered from every region.
    package var globalEndpoint: Bool

    package init(
        endpointPrefix: String, signingName: String, apiVersion: String, protocol: WireProtocol,
        rpcV2CBOR: Bool = false, xmlNamespace: String?, targetPrefix: String?, globalEndpoint: Bool
    ) {
        self.endpointPrefix = endpointPrefix
        self.signingName = signingName
        self.apiVersion = apiVersion
        self.protocol = `protocol`
        self.rpcV2CBOR = rpcV2CBOR
        self.xmlNamespace = xmlNamespace
        self.targetPrefix = targetPrefix
        self.globalEndpoint = globalEndpoint
    }
}

/// One operation of a service model.
package final class OperationModel: Sendable {
    package let name: String
    package let method: String
    package let requestURI: String
    package let input: String?
    package let output: String?
    /// The `<XResult>` element of Query responses.
    package let resultWrapper: String?
    package let errors: [String]
    /// The HTTP status of a successful response (REST protocols; 200 unless the model says).
    package let responseCode: Int

    package init(
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
///
/// The metadata is a literal; the tables are decoded from the generated data on first use, so
/// start-up decodes only the models of the services that are called.
package struct ServiceModel: Sendable {
    package var metadata: ServiceMetadata
    private let tables: @Sendable () -> ModelTables

    package var operations: [String: OperationModel] { tables().operations }
    package var shapes: [String: Shape] { tables().shapes }

    package init(
        metadata: ServiceMetadata, operations: [String: OperationModel], shapes: [String: Shape]
    ) {
        let tables = ModelTables(operations: operations, shapes: shapes)
        self.init(metadata: metadata, tables: { tables })
    }

    /// A model whose tables `tables` gives (generated code passes a `static let`, decoded once).
    package init(metadata: ServiceMetadata, tables: @escaping @Sendable () -> ModelTables) {
        self.metadata = metadata
        self.tables = tables
    }

    /// The shape named `name`; the generator emits every shape an operation reaches.
    package func shape(_ name: String) -> Shape {
        shapes[name] ?? Self.unnamed
    }

    /// What an unknown (or empty) shape name resolves to.
    private static let unnamed = Shape(.string)

    /// The wire error code of an exception shape: its `awsQueryError` code, else its name.
    package func errorCode(forShape name: String) -> String {
        shapes[name]?.error?.code ?? name
    }

    /// The services this server hosts, by SigV4 signing name.
    package static let hosted: [String: ServiceModel] = [
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
package struct OperationRoute: Sendable {
    package var name: String
    package var method: String
    package var requestURI: String
    package var requiredQuery: [String]
    /// Lower-cased header names.
    package var requiredHeaders: [String]

    package init(
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

/// The name of a structure member in a service model (`Generated/Names.swift` has every one
/// the hosted operations reach, as `MemberName.cacheClusterId`).
package struct MemberName: Sendable, Hashable, CustomStringConvertible {
    package let rawValue: String

    package init(_ rawValue: String) { self.rawValue = rawValue }

    package var description: String { rawValue }
}

/// The name of an exception shape in a service model (`ErrorShape.cacheClusterNotFoundFault`);
/// its wire code and status come from the model of the service that answers.
package struct ErrorShape: Sendable, Hashable, CustomStringConvertible {
    package let rawValue: String

    package init(_ rawValue: String) { self.rawValue = rawValue }

    package var description: String { rawValue }
}

/// A model's operations and shapes, shared by every copy of its `ServiceModel`.
package final class ModelTables: Sendable {
    package let operations: [String: OperationModel]
    package let shapes: [String: Shape]

    package init(operations: [String: OperationModel], shapes: [String: Shape]) {
        self.operations = operations
        self.shapes = shapes
    }
}
