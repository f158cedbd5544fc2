import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// The key SNS messages are signed with and the self-signed certificate that carries its
/// public half, served at `SigningCertURL`. Both live in the data directory, made on first
/// use, so that a certificate a verifier cached stays valid across restarts.
package struct SigningIdentity: Sendable {
    let key: _RSA.Signing.PrivateKey
    /// The certificate, PEM-encoded, as the `SigningCertURL` serves it.
    package let certificatePEM: String

    /// The file name under `SigningCertURL` (AWS's looks like `SimpleNotificationService-….pem`).
    package static let certificateFile = "SimpleNotificationService-cachetrail.pem"

    init(key: _RSA.Signing.PrivateKey, certificatePEM: String) {
        self.key = key
        self.certificatePEM = certificatePEM
    }

    /// Loads the identity kept in `directory`, or makes and keeps a new one.
    package static func loadOrCreate(directory: String, now: Date) throws -> SigningIdentity {
        let keyPath = (directory as NSString).appendingPathComponent("sns-signing-key.pem")
        let certPath = (directory as NSString).appendingPathComponent("sns-signing-cert.pem")
        if let keyText = try? String(contentsOfFile: keyPath, encoding: .utf8),
            let certText = try? String(contentsOfFile: certPath, encoding: .utf8)
        {
            return SigningIdentity(
                key: try _RSA.Signing.PrivateKey(pemRepresentation: keyText), certificatePEM: certText)
        }
        let identity = try make(now: now)
        try identity.key.pemRepresentation.write(toFile: keyPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
        try identity.certificatePEM.write(toFile: certPath, atomically: true, encoding: .utf8)
        return identity
    }

    /// A new 2048-bit key and a ten-year self-signed certificate for it.
    static func make(now: Date) throws -> SigningIdentity {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let name = try DistinguishedName {
            CommonName("sns.amazonaws.com")
            OrganizationName("cachetrail")
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: Certificate.Extensions(),
            issuerPrivateKey: .init(key))
        return SigningIdentity(key: key, certificatePEM: try certificate.serializeAsPEM().pemString)
    }

    /// The base64 signature of `text`: SHA1withRSA for version "1", SHA256withRSA for "2".
    func sign(_ text: String, version: String) throws -> String {
        let bytes = Array(text.utf8)
        let signature =
            version == "1"
            ? try key.signature(for: Insecure.SHA1.hash(data: bytes), padding: .insecurePKCS1v1_5)
            : try key.signature(for: SHA256.hash(data: bytes), padding: .insecurePKCS1v1_5)
        return Data(signature.rawRepresentation).base64EncodedString()
    }
}
