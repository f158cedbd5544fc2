import AWSWire
import Foundation

/// Opaque pagination markers: the last identifier returned. Resources are listed in identifier
/// order, so a marker stays correct while resources are created and deleted.
enum Marker {
    static func encode(_ lastId: String) -> String {
        Data("after:\(lastId)".utf8).base64EncodedString()
    }

    static func decode(_ marker: String) throws(AWSError) -> String {
        guard let data = Data(base64Encoded: marker), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("after:")
        else { throw AWSError.invalidParameterValue("Invalid marker: \(marker)") }
        return String(text.dropFirst("after:".count))
    }

    /// One page of `items` (sorted by `id`) after `marker`, and the marker of the next page.
    static func page<T>(_ items: [T], id: (T) -> String, marker: String?, maxRecords: Int) throws(AWSError) -> (
        [T], String?
    ) {
        var rest = items
        if let marker {
            let after = try decode(marker)
            rest = items.filter { id($0) > after }
        }
        let page = Array(rest.prefix(maxRecords))
        let next = rest.count > maxRecords ? page.last.map { encode(id($0)) } : nil
        return (page, next)
    }

    /// MaxRecords as ElastiCache bounds it: 20 to 100, default 100.
    static func maxRecords(_ value: Int?) throws(AWSError) -> Int {
        let records = value ?? 100
        guard (20...100).contains(records) else {
            throw AWSError.invalidParameterValue("The parameter MaxRecords must be between 20 and 100.")
        }
        return records
    }
}
