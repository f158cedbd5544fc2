import Foundation
import IAM

/// The caller's address for `sourceIPAddress` and `aws:SourceIp`: the peer, unless the peer is
/// a trusted proxy, in which case the right-most `X-Forwarded-For` hop that is not itself a
/// trusted proxy.
package struct ClientAddress: Sendable {
    let trusted: [CIDR]

    /// - Parameter trustedProxies: addresses or CIDR blocks (`10.0.0.0/8`, `::1`).
    package init(trustedProxies: [String]) throws {
        trusted = try trustedProxies.map { text in
            guard let network = CIDR(text) else { throw ClientAddressError.invalid(text) }
            return network
        }
    }

    package func resolve(peer: String, forwardedFor: String?) -> String {
        guard isTrusted(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !hop.isEmpty {
            guard CIDR.isAddress(hop) else { return peer }
            if !isTrusted(hop) { return hop }
        }
        return hops.first ?? peer
    }

    func isTrusted(_ address: String) -> Bool {
        trusted.contains { $0.contains(address) }
    }
}

package enum ClientAddressError: Error, CustomStringConvertible {
    case invalid(String)

    package var description: String {
        switch self {
        case .invalid(let text): "--trusted-proxy \(text) is not an IP address or CIDR block"
        }
    }
}
