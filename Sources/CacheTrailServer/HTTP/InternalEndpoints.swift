import AWSWire
import Foundation
import Notifications
import Prometheus

/// The server's own endpoints: `GET /_cachetrail/health`, `POST /_cachetrail/clock`,
/// `GET /_cachetrail/metrics`, SNS's signing certificate under `/_cachetrail/sns/`, and the CA
/// that TLS node endpoints' certificates chain to, `GET /_cachetrail/nodes/ca.pem`.
struct InternalEndpoints: Sendable {
    let clock: any ServerClock
    let metrics: PrometheusCollectorRegistry
    let version: String
    /// Runs after the manual clock moves (a delivery pass), before the answer leaves.
    let afterAdvance: @Sendable () async -> Void
    /// The PEM certificate SNS messages' `SigningCertURL` names.
    let certificate: @Sendable () -> String?
    /// The PEM CA certificate of node endpoints with in-transit encryption (nil: no real nodes).
    let nodeAuthority: @Sendable () -> String?
    /// Whether the start-up lines are out (a fresh account's console password is stored): until
    /// then the API answers but health says `starting` (503), so a script that waits for health
    /// finds every line printed.
    var started: @Sendable () -> Bool = { true }

    func respond(method: String, path: String, body: [UInt8]) async -> GatewayResponse {
        switch (method, path) {
        case ("GET", "/_cachetrail/health"):
            let mode = clock is ManualClock ? "manual" : "system"
            let started = started()
            return json(
                started ? 200 : 503,
                ShapeValue.object([
                    "status": .string(started ? "ok" : "starting"), "version": .string(version), "clock": .string(mode),
                    "now": .string(Timestamps.iso8601(clock.now(), fractional: true)),
                ]))
        case ("POST", "/_cachetrail/clock"):
            guard let manual = clock as? ManualClock else {
                return json(
                    409, .object(["error": .string("The clock is not manual: start the server with --clock manual.")]))
            }
            guard case .object(let fields)? = try? JSONValue.parse(body),
                case .number(let text)? = fields["advanceSeconds"],
                let seconds = Double(text), seconds >= 0, seconds <= ManualClock.maxAdvance
            else {
                return json(
                    400,
                    .object([
                        "error": .string(
                            "Send {\"advanceSeconds\": N} with 0 <= N <= \(Int(ManualClock.maxAdvance)) (90 days, the event history's retention); move further in steps."
                        )
                    ]))
            }
            let now = manual.advance(by: seconds)
            await afterAdvance()
            return json(200, .object(["now": .string(Timestamps.iso8601(now, fractional: true))]))
        case ("GET", "/_cachetrail/metrics"):
            var buffer: [UInt8] = []
            metrics.emit(into: &buffer)
            return GatewayResponse(
                status: 200, headers: [("content-type", "text/plain; version=0.0.4")],
                body: String(decoding: buffer, as: UTF8.self))
        case ("GET", "/_cachetrail/sns/\(SigningIdentity.certificateFile)"):
            guard let pem = certificate() else {
                return json(500, .object(["error": .string("The signing certificate could not be made.")]))
            }
            return GatewayResponse(status: 200, headers: [("content-type", "application/x-pem-file")], body: pem)
        case ("GET", "/_cachetrail/nodes/ca.pem"):
            guard let pem = nodeAuthority() else {
                return json(404, .object(["error": .string("No real cache nodes here (--nodes none).")]))
            }
            return GatewayResponse(status: 200, headers: [("content-type", "application/x-pem-file")], body: pem)
        default:
            return json(404, .object(["error": .string("No such endpoint: \(method) \(path)")]))
        }
    }

    private func json(_ status: Int, _ value: ShapeValue) -> GatewayResponse {
        GatewayResponse(status: status, headers: [("content-type", "application/json")], body: JSONWriter.write(value))
    }
}
