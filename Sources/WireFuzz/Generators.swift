import AWSModels
import AWSWire
import Foundation

/// Builds plausible inputs from a model: Query parameters and JSON bodies.
struct ParameterGenerator {
    let model: ServiceModel
    var random: SplitMix64

    init(model: ServiceModel, random: SplitMix64) {
        self.model = model
        self.random = random
    }

    mutating func parameters(shape: String) -> [String: String] {
        var out: [String: String] = [:]
        add(shape: shape, prefix: "", depth: 0, into: &out)
        return out
    }

    private mutating func add(shape name: String, prefix: String, depth: Int, into out: inout [String: String]) {
        let shape = model.shape(name)
        guard depth < 6 else { return }
        switch shape.kind {
        case .structure:
            for member in shape.members where shape.required.contains(member.name) || random.below(3) == 0 {
                let key =
                    prefix.isEmpty
                    ? (member.locationName ?? member.name) : "\(prefix).\(member.locationName ?? member.name)"
                add(shape: member.shape, prefix: key, depth: depth + 1, into: &out)
            }
        case .list:
            guard let element = shape.element else { return }
            let count = random.below(4)
            if count == 0 { out[prefix] = "" }
            for i in 0..<count {
                add(
                    shape: element.shape, prefix: "\(prefix).\(element.locationName ?? "member").\(i + 1)",
                    depth: depth + 1, into: &out)
            }
        case .map:
            guard let value = shape.value else { return }
            for i in 0..<random.below(3) {
                out["\(prefix).entry.\(i + 1).key"] = "k\(i)"
                add(shape: value.shape, prefix: "\(prefix).entry.\(i + 1).value", depth: depth + 1, into: &out)
            }
        default:
            out[prefix] = scalar(shape)
        }
    }

    mutating func scalar(_ shape: Shape) -> String {
        if let values = shape.enumValues, !values.isEmpty, random.below(4) > 0 {
            return values[random.below(values.count)]
        }
        switch shape.kind {
        case .integer, .long: return String(Int(random.next() % 4000) - 100)
        case .boolean: return random.below(2) == 0 ? "true" : "false"
        case .double, .float: return String(Double(random.below(10_000)) / 7)
        case .timestamp: return ["2014-12-01T22:00:35Z", "1417471235", "2014-12-01T22:00:35.123Z"][random.below(3)]
        case .blob: return "aGVsbG8="
        default:
            let length = random.below(Int(shape.max ?? 40) + 2)
            return String((0..<length).map { _ in Character(Unicode.Scalar(UInt8(97 + random.below(26)))) })
        }
    }

    mutating func json(shape name: String, depth: Int) -> String {
        let shape = model.shape(name)
        guard depth < 6 else { return "null" }
        switch shape.kind {
        case .structure:
            let members = shape.members.filter { shape.required.contains($0.name) || random.below(3) == 0 }
            let fields = members.map { JSONWriter.quote($0.name) + ":" + json(shape: $0.shape, depth: depth + 1) }
            return "{" + fields.joined(separator: ",") + "}"
        case .list:
            guard let element = shape.element else { return "[]" }
            return "["
                + (0..<random.below(3)).map { _ in json(shape: element.shape, depth: depth + 1) }.joined(separator: ",")
                + "]"
        case .map:
            guard let value = shape.value else { return "{}" }
            return "{"
                + (0..<random.below(3)).map { "\"k\($0)\":" + json(shape: value.shape, depth: depth + 1) }.joined(
                    separator: ",") + "}"
        case .string, .blob, .timestamp:
            return shape.kind == .timestamp ? "1417471235" : JSONWriter.quote(scalar(shape))
        default:
            return scalar(shape)
        }
    }
}

/// Mutations of real inputs: bytes flipped, cut, duplicated; keys and values replaced.
enum Mutator {
    static let nasty = [
        "", "-1", "99999999999999999999", "1e400", "NaN", "true", "\u{0}", "%ZZ", "é", "[", "{", "\"", ".", "..",
        "member.0", String(repeating: "a", count: 5000),
        // Shapes an attack used: keys of thousands of dots (quadratic prefix building), control
        // characters and path segments where a region or an ARN goes.
        String(repeating: ".", count: 20_000), String(repeating: "a.", count: 600), "us-east-1\u{1}",
        "arn:aws:sns:../../../../victim/x:000000000000:t", "arn:aws:sns:us-east-1\u{7}:000000000000:t", "\r\n",
    ]

    static func mutate(_ parameters: inout [String: String], _ random: inout SplitMix64) {
        for _ in 0..<random.below(4) {
            let keys = parameters.keys.sorted()
            switch random.below(5) {
            case 0 where !keys.isEmpty: parameters[keys[random.below(keys.count)]] = nasty[random.below(nasty.count)]
            case 1 where !keys.isEmpty: parameters[keys[random.below(keys.count)]] = nil
            case 2 where !keys.isEmpty:
                parameters[keys[random.below(keys.count)] + "." + nasty[random.below(nasty.count)]] = "x"
            case 3: parameters[nasty[random.below(nasty.count)]] = nasty[random.below(nasty.count)]
            default:
                if let key = keys.randomElement(using: &random) {
                    parameters[key.replacingOccurrences(of: ".1", with: ".\(random.below(1000))")] = parameters[key]
                }
            }
        }
    }

    static func mutate(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        for _ in 0..<random.below(4) {
            guard !bytes.isEmpty else { return }
            let at = random.below(bytes.count)
            switch random.below(4) {
            case 0: bytes[at] = UInt8(truncatingIfNeeded: random.next())
            case 1: bytes.removeSubrange(at..<min(bytes.count, at + random.below(8) + 1))
            case 2: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + random.below(16) + 1)], at: at)
            default: bytes.insert(contentsOf: Array(nasty[random.below(nasty.count)].utf8), at: at)
            }
        }
    }
}
