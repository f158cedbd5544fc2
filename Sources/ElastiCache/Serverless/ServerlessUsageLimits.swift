import AWSModels
import AWSWire
import ServiceContract

/// CacheUsageLimits as AWS takes them: each limit within its range, a zero removing it (AWS:
/// "You can set the value to zero to remove the limit"), a minimum no larger than its maximum.
enum ServerlessUsageLimits {
    /// DataStorage, in GB.
    static let dataStorage: ClosedRange<Int64> = 1...5_000
    static let ecpuPerSecond: ClosedRange<Int64> = 1_000...15_000_000

    /// The limits to keep: `limits` checked, zeros removed, and nil when none is left.
    static func validated(_ limits: ShapeValue?, in call: OperationCall) throws -> ShapeValue? {
        guard case .structure(var fields) = limits?.unwrapped else { return limits }
        for (member, range) in [(MemberName.dataStorage, dataStorage), (.ecpuPerSecond, ecpuPerSecond)] {
            guard case .structure(var limit) = fields[member.rawValue]?.unwrapped else { continue }
            for bound in [MemberName.maximum, .minimum] {
                guard let value = limit[bound.rawValue]?.intValue else { continue }
                if value == 0 {
                    limit[bound.rawValue] = nil
                } else if !range.contains(value) {
                    throw AWSError.invalidParameterValue(
                        "Invalid value for \(member) limit. Must be between \(range.lowerBound) and "
                            + "\(range.upperBound). You can set the value to zero to remove the limit.")
                }
            }
            if let minimum = limit[MemberName.minimum.rawValue]?.intValue,
                let maximum = limit[MemberName.maximum.rawValue]?.intValue, minimum > maximum
            {
                throw call.error(
                    .invalidParameterCombinationException,
                    "Invalid value for \(member) limit. Minimum \(minimum) is greater than Maximum \(maximum).")
            }
            // A storage limit keeps its unit only beside a bound.
            let bounds = [MemberName.maximum, .minimum].filter { limit[$0.rawValue] != nil }
            fields[member.rawValue] = bounds.isEmpty ? nil : .structure(limit)
        }
        return fields.isEmpty ? nil : .structure(fields)
    }
}
