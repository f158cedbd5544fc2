/// Builds an XML document as text; escapes what it is given.
package struct XMLWriter: Sendable {
    package private(set) var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

    package init() {}

    // Appends piece by piece: an interpolated string would be built and then copied again.
    package mutating func open(_ name: String, namespace: String? = nil, attributes: [(String, String)] = []) {
        text += "<"
        text += name
        if let namespace { attribute("xmlns", namespace) }
        for (key, value) in attributes { attribute(key, value) }
        text += ">"
    }

    package mutating func close(_ name: String) {
        text += "</"
        text += name
        text += ">"
    }

    package mutating func element(_ name: String, _ value: String) {
        text += "<"
        text += name
        text += ">"
        text += Self.escape(value)
        text += "</"
        text += name
        text += ">"
    }

    private mutating func attribute(_ key: String, _ value: String) {
        text += " "
        text += key
        text += "=\""
        text += Self.escape(value)
        text += "\""
    }

    package static func escape(_ value: String) -> String {
        // Most values need no escape: return them whole instead of copying scalar by scalar.
        if !value.utf8.contains(where: {
            $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 || $0 == 0x0D
        }) {
            return value
        }
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for ch in value.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#xD;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
