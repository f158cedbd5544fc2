/// Builds an XML document as text; escapes what it is given.
public struct XMLWriter: Sendable {
    public private(set) var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

    public init() {}

    public mutating func open(_ name: String, namespace: String? = nil, attributes: [(String, String)] = []) {
        text += "<\(name)"
        if let namespace { text += " xmlns=\"\(Self.escape(namespace))\"" }
        for (key, value) in attributes { text += " \(key)=\"\(Self.escape(value))\"" }
        text += ">"
    }

    public mutating func close(_ name: String) {
        text += "</\(name)>"
    }

    public mutating func element(_ name: String, _ value: String) {
        text += "<\(name)>\(Self.escape(value))</\(name)>"
    }

    public static func escape(_ value: String) -> String {
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
