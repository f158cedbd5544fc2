import Foundation

/// One version of an object in a bucket whose versioning was ever enabled: the object, or a
/// delete marker. Stored under kind `s3.version`, scope the bucket, id ``id(key:sequence:)``,
/// so that a key's versions list together, newest first. The versions own their object files;
/// the current object (``ObjectRecord`` under `s3.object`) is a copy of the newest version.
package struct VersionRecord: Sendable, Codable, Equatable {
    package var key: String
    /// S3's version id, or `null` for the version written while versioning was off or suspended.
    package var versionId: String
    /// Order within the bucket: higher is newer.
    package var sequence: Int
    package var lastModified: Date
    /// The object; nil for a delete marker.
    package var object: ObjectRecord?

    package var isDeleteMarker: Bool { object == nil }

    static let kind = "s3.version"

    /// `key`, U+0001 (SQLite text ends at a NUL), then the sequence inverted in fixed-width hex:
    /// ids sort by key, then newest first.
    static func id(key: String, sequence: Int) -> String {
        let inverted = String(UInt64(Int64.max) - UInt64(max(0, sequence)), radix: 16)
        return key + "\u{1}" + String(repeating: "0", count: max(0, 16 - inverted.count)) + inverted
    }

    var id: String { Self.id(key: key, sequence: sequence) }

    /// A fresh version id: 32 URL-safe characters, as S3's look.
    static func newVersionId() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
    }
}
