import Foundation
import IAM
import ObjectStore
import Persistence
import SigV4

/// Opens the data directory: creates it, opens the state store, makes sure the default
/// account and its root key exist, and keeps the credentials file in step.
package struct DataDirectory: Sendable {
    package let configuration: ServerConfiguration
    package let store: SQLiteStateStore
    package let identities: IdentityStore
    package let blobs: EncryptedBlobStore

    package init(configuration: ServerConfiguration) throws {
        self.configuration = configuration
        // The state holds secret keys: every file the server creates (the SQLite database, its
        // WAL and shared-memory files included) is readable by its owner only.
        umask(0o077)
        try FileManager.default.createDirectory(
            atPath: configuration.dataDirectory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: configuration.dataDirectory)
        // Secret keys are sealed at rest with the master key, like object bodies.
        let blobs = try EncryptedBlobStore(dataDirectory: configuration.dataDirectory)
        SecretSealing.install(
            SecretSealing.Sealer(seal: { try blobs.seal($0) }, open: { try blobs.unseal($0) }))
        self.blobs = blobs
        store = try SQLiteStateStore(path: configuration.statePath)
        for file in configuration.stateFiles where FileManager.default.fileExists(atPath: file) {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        }
        identities = IdentityStore(store: store)
    }

    /// Removes object files left unreferenced by overwrites, deletes or a crash mid-write.
    package func collectGarbage() async throws -> Int {
        let referenced = try await store.read { tx in try S3Service.referencedBlobs(in: tx) }
        return try blobs.collectGarbage(keeping: referenced)
    }

    /// Ensures the default account; returns its root key and whether it was created now.
    package func bootstrapDefaultAccount(now: Date) async throws -> (AccessKeyRecord, created: Bool) {
        var preset: AWSCredentials?
        if let id = configuration.rootAccessKeyId, let secret = configuration.rootSecretAccessKey {
            preset = AWSCredentials(accessKeyID: id, secretAccessKey: secret)
        }
        let (key, created) = try await identities.ensureAccount(configuration.accountId, rootKey: preset, now: now)
        let file = CredentialsFile(path: configuration.credentialsPath)
        if file.accessKeyId(profile: "default") != key.accessKeyId {
            try file.set(profile: "default", accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey)
        }
        return (key, created)
    }

    /// Adds an account and writes its root key to the credentials file as profile `<id>`.
    package func createAccount(id: String?, now: Date) async throws -> AccessKeyRecord {
        let key = try await identities.createAccount(id, now: now)
        try CredentialsFile(path: configuration.credentialsPath).set(
            profile: key.accountId, accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey)
        return key
    }
}
