import AWSWire
import Foundation

/// ElastiCache's input rules, with AWS's codes and wording.
enum ClusterValidation {
    /// 1–40 characters (255 for groups): letters, digits and hyphens, starting with a letter, no trailing or
    /// double hyphen. Stored lower-case.
    static func clusterId(_ raw: String, parameter: String = "CacheClusterId", maxLength: Int = 40) throws(AWSError)
        -> String
    {
        let id = raw.lowercased()
        // Checked on the UTF-8 bytes: only ASCII letters, digits and hyphens are allowed, so a
        // valid identifier has as many bytes as characters (no Unicode property lookups per call).
        let utf8 = id.utf8
        let letter = { (byte: UInt8) in byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
        let hyphen = UInt8(ascii: "-")
        let valid =
            (1...maxLength).contains(utf8.count) && utf8.first.map(letter) == true && utf8.last != hyphen
            && !id.contains("--")
            && utf8.allSatisfy { letter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == hyphen }
        guard valid else {
            throw AWSError.invalidParameterValue(
                "The parameter \(parameter) is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens."
            )
        }
        return id
    }

    static func engine(_ engine: String) throws(AWSError) -> String {
        let lowered = engine.lowercased()
        guard EngineCatalog.defaultVersion[lowered] != nil else {
            throw AWSError.invalidParameterValue(
                "Invalid value for parameter Engine: \(engine). Valid values are memcached, redis and valkey.")
        }
        return lowered
    }

    static func nodeType(_ nodeType: String) throws(AWSError) -> String {
        guard EngineCatalog.nodeTypes.contains(nodeType) else {
            throw AWSError.invalidParameterValue("Invalid CacheNodeType: \(nodeType)")
        }
        return nodeType
    }

    static func engineVersion(engine: String, _ version: String) throws(AWSError) -> EngineCatalog.Version {
        guard let found = EngineCatalog.version(engine: engine, version: version) else {
            throw AWSError.invalidParameterValue("Cannot find version \(version) for \(engine)")
        }
        return found
    }

    /// A newer version of `engine` than `current`; downgrades are refused, as AWS refuses them.
    static func upgrade(engine: String, from current: String, to version: String) throws(AWSError)
        -> EngineCatalog.Version
    {
        let target = try engineVersion(engine: engine, version)
        guard target.version.compare(current, options: .numeric) == .orderedDescending else {
            throw AWSError(
                code: "InvalidParameterCombination",
                message: "Cannot downgrade \(engine) from \(current) to \(version).")
        }
        return target
    }

    static func maintenanceWindow(_ text: String) throws(AWSError) -> String {
        guard MaintenanceWindow(text) != nil else {
            throw AWSError.invalidParameterValue(
                "Invalid maintenance window format: \(text). Use ddd:hh24:mi-ddd:hh24:mi, at least 60 minutes long.")
        }
        return text.lowercased()
    }
}
