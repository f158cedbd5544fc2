import Crypto
import Foundation
import Persistence
import SigV4
import _CryptoExtras

/// The RSA key pairs that sign digests: one per region at a time, 2048-bit, rotated every
/// ``lifetime`` of the injected clock. Private keys are sealed with the data directory's master
/// key; public keys are served by ListPublicKeys for as long as digests they signed exist.
struct DigestKeyRecord: Sendable, Codable, Equatable {
    static let kind = "cloudtrail.digestkey"

    var region: String
    /// Hex MD5 of the PKCS #1 DER public key (`digestPublicKeyFingerprint`).
    var fingerprint: String
    /// PKCS #1 DER.
    var publicKey: Data
    var sealedPrivateKey: Data
    var validFrom: Date
    var validUntil: Date

    /// Ids sort by validity start within a region.
    var id: String { "\(Int64(validFrom.timeIntervalSince1970 * 1000))-\(fingerprint)" }
}

/// Finds or makes the signing key of a region, and signs with it.
struct DigestKeys {
    let secrets: any SecretSealer
    static let lifetime: TimeInterval = 30 * 86_400

    /// The region's keys, oldest first.
    static func all(region: String, in tx: any StateReader) throws -> [DigestKeyRecord] {
        try tx.list(DigestKeyRecord.self, kind: DigestKeyRecord.kind, scope: region)
    }

    /// The key that signs in `region` at `now`, made when none is valid.
    func current(region: String, now: Date, in tx: any StateWriter) throws -> DigestKeyRecord {
        if let valid = try Self.all(region: region, in: tx).last(where: { $0.validFrom <= now && now < $0.validUntil })
        {
            return valid
        }
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let publicKey = key.publicKey.pkcs1DERRepresentation
        let record = DigestKeyRecord(
            region: region, fingerprint: SigV4.hex(Insecure.MD5.hash(data: publicKey)), publicKey: publicKey,
            sealedPrivateKey: try secrets.seal(Array(key.derRepresentation)), validFrom: now,
            validUntil: now.addingTimeInterval(Self.lifetime))
        try tx.put(record, kind: DigestKeyRecord.kind, scope: region, id: record.id)
        return record
    }

    /// SHA256withRSA (PKCS #1 v1.5) of `text`, in hex.
    func sign(_ text: String, with record: DigestKeyRecord) throws -> String {
        let key = try _RSA.Signing.PrivateKey(derRepresentation: try secrets.unseal(record.sealedPrivateKey))
        let signature = try key.signature(for: Array(text.utf8), padding: .insecurePKCS1v1_5)
        return SigV4.hex(signature.rawRepresentation)
    }
}
