// SQLite's process-wide settings: sqlite3_config is variadic, which Swift cannot call. Declared
// here, not through <sqlite3.h>, which GRDB's own module already wraps.
int sqlite3_config(int, ...);

// SQLITE_CONFIG_MEMSTATUS (9 in sqlite3.h): whether SQLite counts every allocation and free
// under a process-wide mutex. Takes effect only before SQLite's first use in the process;
// answers SQLITE_OK (0), or SQLITE_MISUSE (21) when SQLite was already in use.
static inline int cachetrail_sqlite_memory_statistics(int on) { return sqlite3_config(9, on); }
