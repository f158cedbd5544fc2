import Mustache
import Synchronization

/// The console's Mustache templates, parsed once, at the first page that renders one: parsing
/// them at start-up was about a tenth of the server's start.
final class ConsoleTemplates: Sendable {
    private let parsed = Mutex<MustacheLibrary?>(nil)

    static let sources: [(name: String, text: String)] = [
        ("layout", LayoutTemplates.layout), ("signin", LayoutTemplates.signIn),
        ("caches", ElastiCacheTemplates.caches), ("cluster", ElastiCacheTemplates.cluster),
        ("group", ElastiCacheTemplates.group), ("events", ElastiCacheTemplates.events),
        ("history", CloudTrailTemplates.history),
        ("trails", CloudTrailTemplates.trails), ("bucket", CloudTrailTemplates.bucket),
        ("password", LayoutTemplates.password),
    ]

    static func parse() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in sources { try library.register(text, named: name) }
        return library
    }

    var library: MustacheLibrary {
        parsed.withLock { parsed in
            if let parsed { return parsed }
            // Fixed sources, which a unit test parses (ConsoleTemplatesTests).
            let library = (try? Self.parse()) ?? MustacheLibrary()
            parsed = library
            return library
        }
    }
}
