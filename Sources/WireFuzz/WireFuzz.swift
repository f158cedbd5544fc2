import AWSModels
import AWSWire
import Foundation
import SigV4

/// Feeds the Query and JSON decoders and the SigV4 parser random and mutated requests built
/// from the service models. Any input that crashes the process, or fails with an error other
/// than an ``AWSError``, is a bug. Run on demand:
///
///     swift run -c release wire-fuzz [iterations] [seed]
@main
struct WireFuzz {
    static func main() {
        let arguments = CommandLine.arguments
        let iterations = arguments.count > 1 ? Int(arguments[1]) ?? 1_000_000 : 1_000_000
        var random = SplitMix64(seed: arguments.count > 2 ? UInt64(arguments[2]) ?? 1 : 1)
        var tally = Tally()
        let queryModels: [ServiceModel] = [.elastiCache, .sns, .iam, .sts]
        let start = Date()
        for i in 0..<iterations {
            switch i % 3 {
            case 0:
                let model = queryModels[random.below(queryModels.count)]
                fuzzQuery(model, &random, &tally)
            case 1:
                fuzzJSON(&random, &tally)
            default:
                fuzzSigV4(&random, &tally)
            }
        }
        let seconds = Date().timeIntervalSince(start)
        print("inputs: \(iterations) in \(String(format: "%.1f", seconds)) s")
        for (name, count) in tally.counts.sorted(by: { $0.key < $1.key }) { print("  \(name): \(count)") }
        if tally.unexpected > 0 {
            print("unexpected errors: \(tally.unexpected)")
            exit(1)
        }
    }

    static func fuzzQuery(_ model: ServiceModel, _ random: inout SplitMix64, _ tally: inout Tally) {
        let operations = model.operations.values.sorted { $0.name < $1.name }
        let operation = operations[random.below(operations.count)]
        guard let input = operation.input else { return }
        var generator = ParameterGenerator(model: model, random: random)
        var parameters = generator.parameters(shape: input)
        random = generator.random
        Mutator.mutate(&parameters, &random)
        do {
            _ = try QueryDecoder(model: model).decode(parameters, shape: input)
            tally.count("query.accepted")
        } catch {
            tally.count("query.\(error.code)")
        }
    }

    static func fuzzJSON(_ random: inout SplitMix64, _ tally: inout Tally) {
        let model = ServiceModel.cloudTrail
        let operations = model.operations.values.sorted { $0.name < $1.name }
        let operation = operations[random.below(operations.count)]
        guard let input = operation.input else { return }
        var generator = ParameterGenerator(model: model, random: random)
        var body = Array(generator.json(shape: input, depth: 0).utf8)
        random = generator.random
        Mutator.mutate(&body, &random)
        do {
            _ = try JSONInputDecoder(model: model).decode(body, shape: input)
            tally.count("json.accepted")
        } catch {
            tally.count("json.\(error.code)")
        }
    }

    static func fuzzSigV4(_ random: inout SplitMix64, _ tally: inout Tally) {
        var header = Array(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
                .utf8)
        Mutator.mutate(&header, &random)
        let request = SignableRequest(
            method: "POST", path: "/", query: "",
            headers: [
                ("host", "h"), ("x-amz-date", "20150830T123600Z"),
                ("authorization", String(decoding: header, as: UTF8.self)),
            ],
            bodySHA256: nil)
        do {
            let authorization = try SigV4Authorization.parse(request)
            try authorization.verify(request, secret: "s", now: Date(timeIntervalSince1970: 1_440_938_160))
            tally.count("sigv4.verified")
        } catch {
            tally.count("sigv4.\(String(describing: error).prefix(while: { $0 != "(" }))")
        }
    }
}

struct Tally {
    var counts: [String: Int] = [:]
    var unexpected = 0

    mutating func count(_ name: String) {
        counts[name, default: 0] += 1
    }
}

/// A small, seedable generator so a failing run can be repeated.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(max(1, bound)))
    }
}
