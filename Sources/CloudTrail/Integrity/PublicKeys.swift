import AWSModels
import AWSWire
import Foundation
import Persistence
import ServiceContract

/// ListPublicKeys: the region's digest-signing public keys valid at some time in the range
/// (the current one when no range is given), as `aws cloudtrail validate-logs` reads them:
/// `Value` is the PKCS #1 DER public key (base64 on the wire, which the CLI decodes itself).
enum PublicKeys {
    static func list(_ call: OperationCall, in tx: any StateReader) throws -> ShapeValue {
        let end = call[.endTime].flatMap(EventHistory.date) ?? call.now
        let start = call[.startTime].flatMap(EventHistory.date) ?? end
        guard start <= end else {
            throw call.error(.invalidTimeRangeException, "StartTime must be before EndTime.")
        }
        let keys = try DigestKeys.all(region: call.region, in: tx).filter {
            $0.validFrom <= end && $0.validUntil >= start
        }
        return .object([
            "PublicKeyList": .list(
                keys.map { key in
                    .object([
                        "Value": .blob(Array(key.publicKey)),
                        "ValidityStartTime": .timestamp(key.validFrom),
                        "ValidityEndTime": .timestamp(key.validUntil),
                        "Fingerprint": .string(key.fingerprint),
                    ])
                })
        ])
    }
}
