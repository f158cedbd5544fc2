import AWSModels
import Foundation

/// Encodes an operation's output as an AWS Query XML response:
/// `<XResponse xmlns="…"><XResult>…</XResult><ResponseMetadata><RequestId>…`.
package struct QueryResponseEncoder: Sendable {
    package let model: ServiceModel

    package init(model: ServiceModel) {
        self.model = model
    }

    package func encode(_ output: ShapeValue?, operation: OperationModel, requestID: String) -> String {
        String(decoding: bytes(output, operation: operation, requestID: requestID), as: UTF8.self)
    }

    /// The response document as UTF-8, as it goes on the wire.
    package func bytes(_ output: ShapeValue?, operation: OperationModel, requestID: String) -> [UInt8] {
        var xml = XMLWriter()
        xml.open("\(operation.name)Response", namespace: model.metadata.xmlNamespace)
        if let outputShape = operation.output, let output {
            let wrapper = operation.resultWrapper ?? "\(operation.name)Result"
            xml.open(wrapper)
            writeMembers(output, shape: model.shape(outputShape), into: &xml)
            xml.close(wrapper)
        }
        xml.open("ResponseMetadata")
        xml.element("RequestId", requestID)
        xml.close("ResponseMetadata")
        xml.close("\(operation.name)Response")
        return xml.bytes
    }

    private func writeMembers(_ value: ShapeValue, shape: Shape, into xml: inout XMLWriter) {
        XMLShapeWriter(model: model).writeMembers(value, shape: shape, into: &xml)
    }
}
