import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive lock on a data directory for the life of one server (`<data>/server.lock`,
/// holding the server's pid). A second server on the same directory is refused; a lock left by
/// a killed server is free again, because the kernel drops a dead process's `flock`.
package final class DataDirectoryLock: Sendable {
    private let descriptor: Int32

    init(directory: String) throws {
        let path = directory + "/server.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ServerError.dataDirectoryLocked(directory, holder: nil) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw ServerError.dataDirectoryLocked(directory, holder: holder.flatMap(Int32.init))
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// The pid of the server holding `directory`, or nil when no server holds it.
    package static func holder(of directory: String) -> Int32? {
        let path = directory + "/server.lock"
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return nil
        }
        return (try? String(contentsOfFile: path, encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? -1
    }
}
