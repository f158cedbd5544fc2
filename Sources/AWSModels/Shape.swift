import Synchronization

/// One shape of an AWS service model, as botocore's JSON models describe it.
///
/// Shapes refer to each other by name; ``ServiceModel/shape(_:)`` resolves a name. A class
/// whose fields never change: encoders and the record renderer look shapes up for every member
/// of every value, and a struct of this size would be copied (a retain per field) each time.
package final class Shape: Sendable {
    /// The shape's type in the model.
    package enum Kind: Sendable {
        case structure, list, map, string, integer, long, boolean, double, float, timestamp, blob
    }

    package let kind: Kind
    /// Members of a structure, in model order (the order XML output uses).
    package let members: [Member]
    package let required: Set<String>
    /// The member sent as the HTTP body (REST protocols).
    package let payload: String?
    /// The element of a list.
    package let element: Member?
    package let key: Member?
    package let value: Member?
    package let flattened: Bool
    package let locationName: String?
    package let xmlNamespace: String?
    /// Length (strings, lists, maps) or value (numbers) bounds.
    package let min: Double?
    package let max: Double?
    package let enumValues: [String]?
    package let timestampFormat: String?
    /// Values of this shape are secrets: never logged, recorded or echoed.
    package let sensitive: Bool
    /// Present on exception shapes.
    package let error: ErrorTrait?
    /// The shapes `members`, `element`, `key` and `value` name, once resolved in their model.
    private let targets = Mutex<Targets?>(nil)

    package init(
        _ kind: Kind, members: [Member] = [], required: Set<String> = [], payload: String? = nil,
        element: Member? = nil, key: Member? = nil, value: Member? = nil, flattened: Bool = false,
        locationName: String? = nil, xmlNamespace: String? = nil, min: Double? = nil, max: Double? = nil,
        enumValues: [String]? = nil, timestampFormat: String? = nil, sensitive: Bool = false,
        error: ErrorTrait? = nil
    ) {
        self.kind = kind
        self.members = members
        self.required = required
        self.payload = payload
        self.element = element
        self.key = key
        self.value = value
        self.flattened = flattened
        self.locationName = locationName
        self.xmlNamespace = xmlNamespace
        self.min = min
        self.max = max
        self.enumValues = enumValues
        self.timestampFormat = timestampFormat
        self.sensitive = sensitive
        self.error = error
    }

    /// A member with the shape it refers to: one reference to pass around where copying the
    /// member would retain each of its strings.
    /// What writers read of it for every value is kept apart, so they never copy the member.
    package final class Field: Sendable {
        package let member: Member
        package let shape: Shape
        /// The member's name (the key of its value in a structure).
        package let name: String
        /// The element name in XML: the member's `locationName`, else its shape's, else its name.
        package let xmlName: String
        /// `xmlName`'s length in UTF-8 and its first and last bytes (0 when empty): what the Query
        /// decoder's filter of the names sent reads, without building a nested member's name.
        package let xmlNameEnds: (count: Int, first: UInt8, last: UInt8)
        /// `<xmlName>` and `</xmlName>` in UTF-8: what the XML writer copies for each element of
        /// this member, instead of its name piece by piece.
        package let xmlTags: (open: [UInt8], close: [UInt8])
        /// Written in the body as an element (not an attribute, header, URI or status code).
        package let isBodyElement: Bool
        /// The member or its shape is flattened (lists and maps without a wrapper).
        package let flattened: Bool
        package let timestampFormat: String?
        /// The structure that has this member requires it.
        package let isRequired: Bool

        init(member: Member, shape: Shape, isRequired: Bool = false) {
            self.member = member
            self.shape = shape
            self.isRequired = isRequired
            name = member.name
            xmlName = member.locationName ?? shape.locationName ?? member.name
            xmlNameEnds = (xmlName.utf8.count, xmlName.utf8.first ?? 0, xmlName.utf8.last ?? 0)
            xmlTags = (Array("<\(xmlName)>".utf8), Array("</\(xmlName)>".utf8))
            isBodyElement = !member.xmlAttribute && member.location == nil
            flattened = member.flattened || shape.flattened
            timestampFormat = member.timestampFormat ?? shape.timestampFormat
        }
    }

    /// The shapes this shape's members (in order), element, key and value refer to.
    package struct Targets: Sendable {
        package var members: [Field]
        package var element: Field?
        package var key: Field?
        package var value: Field?
        /// Some member is an XML attribute (S3's `xsi:type`): most shapes have none.
        package var hasAttributes: Bool
        /// Where each member's name is in `members`.
        package var memberPositions: NameIndex
    }

    /// The shapes this shape refers to, resolved in `model` (the model that holds this shape)
    /// on first use: writers walk them for every value, and a lookup by name hashes the name.
    package func targets(in model: ServiceModel) -> Targets {
        if let resolved = targets.withLock({ $0 }) { return resolved }
        func field(_ member: Member) -> Field { Field(member: member, shape: model.shape(member.shape)) }
        let resolved = Targets(
            members: members.map {
                Field(member: $0, shape: model.shape($0.shape), isRequired: required.contains($0.name))
            },
            element: element.map(field), key: key.map(field), value: value.map(field),
            hasAttributes: members.contains { $0.xmlAttribute }, memberPositions: NameIndex(members.map(\.name)))
        targets.withLock { $0 = resolved }
        return resolved
    }

    /// The member named `name`, if this is a structure that has one.
    package func member(_ name: String) -> Member? {
        members.first { $0.name == name }
    }
}

/// A reference from a structure, list or map to another shape, with its serialization traits.
package struct Member: Sendable {
    package var name: String
    package var shape: String
    package var locationName: String?
    /// `header`, `headers`, `uri`, `querystring` or `statusCode` (REST protocols); nil for the body.
    package var location: String?
    package var timestampFormat: String?
    package var flattened: Bool
    package var xmlAttribute: Bool
    package var streaming: Bool
    package var xmlNamespace: String?
    /// The member carries a secret (or what AWS hides) although its shape is not sensitive:
    /// the generator's patch table marks it.
    package var sensitive: Bool

    package init(
        _ name: String, _ shape: String, locationName: String? = nil, location: String? = nil,
        timestampFormat: String? = nil, xmlNamespace: String? = nil, flattened: Bool = false,
        xmlAttribute: Bool = false, streaming: Bool = false, sensitive: Bool = false
    ) {
        self.sensitive = sensitive
        self.name = name
        self.shape = shape
        self.locationName = locationName
        self.location = location
        self.timestampFormat = timestampFormat
        self.flattened = flattened
        self.xmlAttribute = xmlAttribute
        self.streaming = streaming
        self.xmlNamespace = xmlNamespace
    }
}

/// The `error` trait of an exception shape: the wire code and HTTP status AWS answers with.
package struct ErrorTrait: Sendable {
    /// The `awsQueryError` code; nil where the shape name is the code (JSON protocols).
    package var code: String?
    package var httpStatus: Int
    package var senderFault: Bool

    package init(code: String?, httpStatus: Int, senderFault: Bool) {
        self.code = code
        self.httpStatus = httpStatus
        self.senderFault = senderFault
    }
}
