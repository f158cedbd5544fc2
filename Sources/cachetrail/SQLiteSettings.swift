import CSQLiteConfig

/// SQLite's process-wide settings, made before anything opens a database.
enum SQLiteSettings {
    /// SQLite's allocation statistics off: with them on (the library's default), every one of
    /// its allocations and frees takes a process-wide mutex and updates counters, some 130
    /// frees and 70 allocations a captured create (callgrind). This server reads none of those
    /// statistics and sets no soft heap limit, which they would enforce.
    static func apply() {
        // SQLite in use already (it cannot be here: this runs first) keeps its statistics on.
        _ = cachetrail_sqlite_memory_statistics(0)
    }
}
