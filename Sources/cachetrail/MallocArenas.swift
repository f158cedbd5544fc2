#if os(Linux)
    import CMalloc
    import Glibc
#endif

/// Caps glibc's malloc arenas at one per core, unless the environment sets `MALLOC_ARENA_MAX`.
///
/// glibc's own cap is eight per core, and each arena keeps the free memory of the bursts its
/// threads allocated: after 10,000 CreateCacheCluster calls the server held ~2.5 MiB more than
/// with one arena per core, whose cost in CPU per call was below the machine's noise
/// (BENCHMARKS.md). A core runs one thread at a time, and glibc's per-thread caches take most
/// small allocations without touching an arena's lock.
enum MallocArenas {
    static func limit() {
        #if os(Linux)
            guard getenv("MALLOC_ARENA_MAX") == nil else { return }
            let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
            _ = mallopt(M_ARENA_MAX, Int32(max(1, min(cores, 1024))))
        #endif
    }
}
