import AWSWire
import Crypto
import Foundation

/// Where an object's bytes live and how to decrypt them.
package struct BlobReference: Sendable, Codable, Equatable {
    /// File name under the objects directory.
    package var file: String
    package var size: Int
    /// The object's data key, sealed (AES-GCM) with the master key.
    package var wrappedKey: Data
}

package enum BlobStoreError: Error {
    case corrupt(String)
    case io(String)
}

/// Object bytes on local disk, encrypted at rest: AES-256-GCM with a per-object data key
/// wrapped by the master key in `<data-dir>/master.key`. Content is sealed in 1 MiB chunks so
/// ranges decrypt without reading the whole object. Writes are atomic: temporary file,
/// fsync, rename, directory fsync.
package struct EncryptedBlobStore: Sendable {
    package static let chunkSize = 1 << 20
    static let overhead = 28

    let directory: URL
    let masterKey: SymmetricKey

    /// Opens the store under `dataDirectory`, creating the master key on first use.
    package init(dataDirectory: String) throws {
        let base = URL(fileURLWithPath: dataDirectory)
        directory = base.appendingPathComponent("objects")
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let keyFile = base.appendingPathComponent("master.key")
        if let existing = try? Data(contentsOf: keyFile), existing.count == 32 {
            masterKey = SymmetricKey(data: existing)
        } else {
            let key = SymmetricKey(size: .bits256)
            let data = key.withUnsafeBytes { Data($0) }
            guard
                FileManager.default.createFile(
                    atPath: keyFile.path, contents: data, attributes: [.posixPermissions: 0o600])
            else {
                throw BlobStoreError.io("cannot write \(keyFile.path)")
            }
            masterKey = key
        }
    }

    /// Seals a small secret (a signing key) with the master key, to keep in the state store.
    package func seal(_ secret: some DataProtocol) throws -> Data {
        guard let box = try AES.GCM.seal(secret, using: masterKey).combined else {
            throw BlobStoreError.corrupt("cannot seal a secret")
        }
        return box
    }

    /// Opens what ``seal(_:)`` sealed.
    package func unseal(_ sealed: Data) throws -> Data {
        try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: masterKey)
    }

    /// Encrypts and stores `bytes`; returns the reference to keep in the object's metadata.
    package func write(_ bytes: [UInt8]) throws -> BlobReference {
        let dataKey = SymmetricKey(size: .bits256)
        let wrapped = try seal(dataKey.withUnsafeBytes { Data($0) })
        var sealed = Data()
        sealed.reserveCapacity(bytes.count + (bytes.count / Self.chunkSize + 1) * Self.overhead)
        var offset = 0
        repeat {
            let end = min(bytes.count, offset + Self.chunkSize)
            guard let box = try AES.GCM.seal(bytes[offset..<end], using: dataKey).combined else {
                throw BlobStoreError.corrupt("cannot seal a chunk")
            }
            sealed.append(box)
            offset = end
        } while offset < bytes.count
        let name = RandomIdentifier.uuid()
        try atomicWrite(sealed, name: name)
        return BlobReference(file: name, size: bytes.count, wrappedKey: wrapped)
    }

    /// The bytes of `reference` in `range` (all of them when nil).
    package func read(_ reference: BlobReference, range: Range<Int>? = nil) throws -> [UInt8] {
        let wanted = range ?? 0..<reference.size
        guard !wanted.isEmpty else { return [] }
        let keyData = try unseal(reference.wrappedKey)
        let dataKey = SymmetricKey(data: keyData)
        guard let handle = FileHandle(forReadingAtPath: directory.appendingPathComponent(reference.file).path) else {
            throw BlobStoreError.io("missing object file \(reference.file)")
        }
        defer { try? handle.close() }
        let sealedChunk = Self.chunkSize + Self.overhead
        var out: [UInt8] = []
        out.reserveCapacity(wanted.count)
        for chunk in (wanted.lowerBound / Self.chunkSize)...((wanted.upperBound - 1) / Self.chunkSize) {
            try handle.seek(toOffset: UInt64(chunk * sealedChunk))
            guard let data = try handle.read(upToCount: sealedChunk) else {
                throw BlobStoreError.corrupt("short object file")
            }
            let plain = try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: dataKey)
            let chunkStart = chunk * Self.chunkSize
            let from = max(wanted.lowerBound, chunkStart) - chunkStart
            let to = min(wanted.upperBound, chunkStart + plain.count) - chunkStart
            if from < to { plain.withUnsafeBytes { out.append(contentsOf: $0[from..<to]) } }
        }
        return out
    }

    package func delete(_ reference: BlobReference) {
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(reference.file))
    }

    /// Removes object files no metadata refers to (left by overwrites, deletes or crashes).
    package func collectGarbage(keeping referenced: Set<String>) throws -> Int {
        var removed = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where !referenced.contains(name)
        {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
            removed += 1
        }
        return removed
    }

    private func atomicWrite(_ data: Data, name: String) throws {
        let temporary = directory.appendingPathComponent(".\(name).tmp")
        let final = directory.appendingPathComponent(name)
        let fd = open(temporary.path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        guard fd >= 0 else { throw BlobStoreError.io("cannot create \(temporary.path)") }
        var written = 0
        let ok = data.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let n = Foundation.write(fd, raw.baseAddress?.advanced(by: written), raw.count - written)
                if n <= 0 { return false }
                written += n
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok, rename(temporary.path, final.path) == 0 else {
            unlink(temporary.path)
            throw BlobStoreError.io("cannot write \(final.path)")
        }
        let dirfd = open(directory.path, O_RDONLY)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
    }
}
