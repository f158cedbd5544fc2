import AWSWire
import Foundation

/// Event history's downloads and its readable record: CSV as the console's columns, JSON as
/// `{"Records": […]}`, and a record re-indented with its fields in their order.
enum EventExport {
    static let columns = [
        "Event ID", "Event time", "User name", "Event name", "Resource type", "Resource name", "Read-only",
        "AWS access key", "Event source", "AWS region", "Error code", "Source IP address",
    ]

    static func csv(_ events: [JSONValue]) -> String {
        var lines = [columns.map(cell).joined(separator: ",")]
        for event in events {
            let record = (try? JSONValue.parse(event["CloudTrailEvent"]?.string ?? "{}")) ?? .null
            let resources = event["Resources"]?.items ?? []
            let fields: [String?] = [
                event["EventId"]?.string, time(event), event["Username"]?.string,
                event["EventName"]?.string,
                resources.compactMap { $0["ResourceType"]?.string }.joined(separator: ", "),
                resources.compactMap { $0["ResourceName"]?.string }.joined(separator: ", "),
                event["ReadOnly"]?.string, event["AccessKeyId"]?.string, event["EventSource"]?.string,
                record["awsRegion"]?.string, record["errorCode"]?.string,
                record["sourceIPAddress"]?.string,
            ]
            lines.append(fields.map { cell($0 ?? "") }.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// One CSV cell (RFC 4180). A value a spreadsheet would run as a formula (`=`, `+`, `-`,
    /// `@`, tab, CR) is prefixed with `'`: event fields are chosen by callers.
    static func cell(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@\t\r".contains(first) { text = "'" + text }
        guard text.contains(where: { ",\"\r\n".contains($0) }) || text != value else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `{"Records":[…]}`: each event's record as CloudTrail delivers it.
    static func json(_ events: [JSONValue]) -> String {
        let records = events.map { $0["CloudTrailEvent"]?.string ?? "{}" }
        return "{\"Records\":[" + records.joined(separator: ",") + "]}"
    }

    /// An event's time, `2026-11-30T05:10:00Z`.
    static func time(_ event: JSONValue) -> String {
        event["EventTime"].flatMap(iso) ?? ""
    }

    /// A JSON 1.1 timestamp (epoch seconds) as ISO 8601.
    static func iso(_ epoch: JSONValue) -> String? {
        guard case .number(let text) = epoch, let seconds = Double(text) else { return nil }
        return Timestamps.iso8601(Date(timeIntervalSince1970: seconds))
    }

    /// The record indented two spaces per level, keeping its fields' order.
    static func pretty(_ json: String) -> String {
        var out = ""
        var depth = 0
        var inString = false
        var escaped = false
        func newline() { out += "\n" + String(repeating: "  ", count: depth) }
        for character in json {
            if inString {
                out.append(character)
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inString = false
                }
                continue
            }
            switch character {
            case "\"":
                inString = true
                out.append(character)
            case "{", "[":
                out.append(character)
                depth += 1
                newline()
            case "}", "]":
                depth = max(0, depth - 1)
                newline()
                out.append(character)
            case ",":
                out.append(character)
                newline()
            case ":": out += ": "
            case " ", "\n", "\r", "\t": continue
            default: out.append(character)
            }
        }
        return out
    }
}
