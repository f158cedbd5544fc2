import ArgumentParser
import CacheNodes
import CacheTrailServer
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `cachetrail doctor`: what is installed and usable here, for the features that need it.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Say what is installed and usable here: AWS CLI, cache engines, data directory, disk.")

    @OptionGroup var data: DataOptions

    func run() throws {
        var lines: [String] = []
        lines.append("aws cli: " + awsCLI())
        let engines = NodeEngines()
        lines.append(
            "cache nodes: " + (engines.programs.isEmpty ? "address only (install redis-server or memcached)" : "real"))
        lines.append("  " + engines.summary)
        let browser = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap { NodeEngines.which($0) }
            .first
        lines.append("chromium (headless browser tests): " + (browser ?? "not found (apt-get install chromium)"))
        let directory = URL(fileURLWithPath: data.dataDirectory).standardizedFileURL.path
        if let attributes = try? FileManager.default.attributesOfItem(atPath: directory),
            let permissions = attributes[.posixPermissions] as? Int
        {
            let mode = String(permissions, radix: 8)
            lines.append(
                "data directory: \(directory) (mode \(mode)\(permissions & 0o077 == 0 ? "" : ", readable by others: run chmod 700"))"
            )
            switch DataDirectoryLock.holder(of: directory) {
            case nil: lines.append("  not in use by a server")
            case let pid?: lines.append("  in use by a cachetrail server" + (pid > 0 ? " (pid \(pid))" : ""))
            }
        } else {
            lines.append("data directory: \(directory) (not created yet; the first start creates it)")
        }
        var stats = statvfs()
        let existing = FileManager.default.fileExists(atPath: directory) ? directory : "."
        if statvfs(existing, &stats) == 0 {
            let free = Double(stats.f_bavail) * Double(stats.f_frsize) / Double(1 << 30)
            lines.append("free disk: \(String(format: "%.1f", free)) GiB")
        }
        print(lines.joined(separator: "\n"))
    }

    /// The AWS CLI's version, and whether it honours AWS_ENDPOINT_URL (1.29+ / 2.13+).
    private func awsCLI() -> String {
        guard let path = NodeEngines.which("aws") else {
            return "not found (the README session needs aws-cli 1.29+ or 2.13+)"
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        guard (try? process.run()) != nil else { return "\(path) (does not run)" }
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let version = text.split(separator: " ").first.map(String.init) ?? text
        let numbers = version.split(separator: "/").last?.split(separator: ".").compactMap { Int($0) } ?? []
        let honours =
            numbers.count >= 2
            && ((numbers[0] == 1 && numbers[1] >= 29) || (numbers[0] == 2 && numbers[1] >= 13) || numbers[0] > 2)
        return "\(version) at \(path)"
            + (honours ? " (honours AWS_ENDPOINT_URL)" : " (too old: ignores AWS_ENDPOINT_URL; pass --endpoint-url)")
    }
}
