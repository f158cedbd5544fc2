/// Renders an ``AWSError`` in each protocol's own error envelope.
package enum ErrorEnvelope {
    /// `<ErrorResponse><Error><Type>Sender</Type><Code>…` as Query services answer.
    package static func query(_ error: AWSError, requestID: String, namespace: String?) -> String {
        var xml = XMLWriter()
        xml.open("ErrorResponse", namespace: namespace)
        xml.open("Error")
        xml.element("Type", error.senderFault ? "Sender" : "Receiver")
        xml.element("Code", error.code)
        xml.element("Message", error.message)
        xml.close("Error")
        xml.element("RequestId", requestID)
        xml.close("ErrorResponse")
        return xml.text
    }

    /// `{"__type": "Code", "message": "…"}` as JSON 1.1 services answer.
    package static func json(_ error: AWSError) -> String {
        "{\"__type\":\(JSONWriter.quote(error.code)),\"message\":\(JSONWriter.quote(error.message))}"
    }

    /// `<Error><Code>…</Code><Message>…</Message><RequestId>…` as S3 answers.
    package static func s3(_ error: AWSError, requestID: String, resource: String? = nil) -> String {
        var xml = XMLWriter()
        xml.open("Error")
        xml.element("Code", error.code)
        xml.element("Message", error.message)
        if let resource { xml.element("Resource", resource) }
        xml.element("RequestId", requestID)
        xml.close("Error")
        return xml.text
    }
}
