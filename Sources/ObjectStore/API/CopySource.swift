import Foundation

/// `x-amz-copy-source`: `[/]bucket/key[?versionId=…]`, the bucket and key percent-encoded.
struct CopySource: Equatable {
    var bucket: String
    var key: String
    var versionId: String?

    init?(_ header: String) {
        let parts = header.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var path = String(parts[0])
        if path.hasPrefix("/") { path.removeFirst() }
        let decoded = path.removingPercentEncoding ?? path
        guard let slash = decoded.firstIndex(of: "/") else { return nil }
        bucket = String(decoded[..<slash])
        key = String(decoded[decoded.index(after: slash)...])
        versionId =
            parts.count > 1
            ? parts[1].split(separator: "&").first { $0.hasPrefix("versionId=") }.map {
                String($0.dropFirst("versionId=".count))
            } : nil
    }
}
