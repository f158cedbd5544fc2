/// The parameters of each parameter group family: names, defaults, types and allowed values.
///
/// Defaults are the engines' own (read with `CONFIG GET` from Debian's redis-server 7.0.15 and
/// `stats settings` from memcached 1.6.18) except where ElastiCache documents its own default
/// (maxmemory-policy, maxmemory-samples, maxclients, reserved-memory-percent,
/// close-on-replica-write).
package struct ParameterSpec: Sendable {
    package var name: String
    package var defaultValue: String
    /// `integer`, `string` or `boolean`.
    package var dataType: String
    /// `1-75`, `0-`, or a comma-separated list.
    package var allowedValues: String
    package var modifiable: Bool
    /// `immediate` or `requires-reboot`.
    package var changeType: String
    package var description: String
    package var minimumEngineVersion: String

    init(
        _ name: String, _ defaultValue: String, _ dataType: String, _ allowedValues: String,
        modifiable: Bool = true, reboot: Bool = false, since: String, _ description: String
    ) {
        self.name = name
        self.defaultValue = defaultValue
        self.dataType = dataType
        self.allowedValues = allowedValues
        self.modifiable = modifiable
        self.changeType = reboot ? "requires-reboot" : "immediate"
        self.description = description
        self.minimumEngineVersion = since
    }

    /// Whether `value` is allowed: an integer in range, or one of the listed values.
    package func accepts(_ value: String) -> Bool {
        if dataType == "integer" || dataType == "float" {
            guard let number = Double(value), dataType == "float" || Int64(value) != nil else { return false }
            let bounds = allowedValues.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            if allowedValues.hasPrefix("-") || bounds.count != 2 { return true }
            if let low = Double(bounds[0]), number < low { return false }
            if let high = Double(bounds[1]), number > high { return false }
            return true
        }
        if allowedValues.isEmpty || allowedValues == "*" { return true }
        return allowedValues.split(separator: ",").contains { $0 == value }
    }
}

package enum ParameterCatalog {
    package static let families = [
        "memcached1.4", "memcached1.5", "memcached1.6", "redis4.0", "redis5.0", "redis6.x", "redis7", "valkey7",
        "valkey8", "valkey9",
    ]

    package static func parameters(family: String) -> [ParameterSpec]? {
        switch family {
        case "memcached1.4", "memcached1.5": memcached.filter { $0.minimumEngineVersion < "1.6" }
        case "memcached1.6": memcached
        case "redis4.0": redis(listpack: false, since: "4.0.10")
        case "redis5.0": redis(listpack: false, since: "5.0.0")
        case "redis6.x": redis(listpack: false, since: "6.0.0")
        case "redis7": redis(listpack: true, since: "7.0.0")
        case "valkey7": redis(listpack: true, since: "7.2.4")
        case "valkey8": redis(listpack: true, since: "8.0.0")
        case "valkey9": redis(listpack: true, since: "9.0.0")
        default: nil
        }
    }

    static let yesNo = "yes,no"
    static let zeroOne = "0,1"

    static let memcached: [ParameterSpec] = [
        .init(
            "config_max", "16", "integer", "1-", modifiable: false, since: "1.4.14",
            "The maximum number of ElastiCache configuration entries."),
        .init(
            "config_size_max", "65536", "integer", "1-", modifiable: false, since: "1.4.14",
            "The maximum size of the configuration entries, in bytes."),
        .init(
            "maximize_core_file_limit", "0", "boolean", zeroOne, modifiable: false, since: "1.4.5",
            "Maximize the core file limit for the daemon."),
        .init(
            "modern", "1", "boolean", zeroOne, reboot: true, since: "1.4.33",
            "An alias for several of the engine's newer defaults (slab_reassign, lru_crawler, lru_maintainer, …)."),
        .init(
            "watcher_logbuf_size", "256", "integer", "0-", since: "1.4.33",
            "The size, in kilobytes, of the buffer the watch command's log uses."),
        .init(
            "backlog_queue_limit", "1024", "integer", "1-10000", modifiable: false, since: "1.4.5",
            "The backlog queue limit."),
        .init(
            "binding_protocol", "auto", "string", "auto,binary,ascii", reboot: true, since: "1.4.5",
            "Binding protocol."),
        .init(
            "cas_disabled", "0", "boolean", zeroOne, reboot: true, since: "1.4.5",
            "If 1 (true), check and set (CAS) operations will be disabled."),
        .init(
            "chunk_size", "48", "integer", "1-", reboot: true, since: "1.4.5",
            "The minimum amount, in bytes, of space to allocate for the smallest item's key, value, and flags."),
        .init(
            "chunk_size_growth_factor", "1.25", "float", "1-2", reboot: true, since: "1.4.5",
            "The growth factor that controls the size of each successive memcached chunk."),
        .init(
            "error_on_memory_exhausted", "0", "boolean", zeroOne, reboot: true, since: "1.4.5",
            "If 1 (true), when there is no more memory to store items, memcached will return an error rather than evicting items."
        ),
        .init(
            "large_memory_pages", "0", "boolean", zeroOne, modifiable: false, since: "1.4.5",
            "If 1 (true), memcached will try to use large memory pages."),
        .init(
            "lock_down_paged_memory", "0", "boolean", zeroOne, modifiable: false, since: "1.4.5",
            "If 1 (true), memcached will lock down all paged memory."),
        .init(
            "max_item_size", "1048576", "integer", "1048576-1073741824", reboot: true, since: "1.4.5",
            "The size, in bytes, of the largest item that can be stored in the cluster."),
        .init(
            "max_simultaneous_connections", "65000", "integer", "3-65000", modifiable: false, since: "1.4.5",
            "The maximum number of simultaneous connections."),
        .init(
            "maxconns_fast", "0", "boolean", zeroOne, reboot: true, since: "1.4.5",
            "If 1 (true), new connections are closed immediately when the maximum is reached."),
        .init(
            "memcached_connections_overhead", "100", "integer", "0-", reboot: true, since: "1.4.5",
            "The amount of memory to be reserved for memcached connections and other miscellaneous overhead."),
        .init(
            "requests_per_event", "20", "integer", "20-", modifiable: false, since: "1.4.5",
            "The maximum number of requests per event for a given connection."),
        .init(
            "slab_reassign", "1", "boolean", zeroOne, reboot: true, since: "1.4.24",
            "Whether to enable slab reassignment."),
        .init("slab_automove", "1", "integer", "0-2", since: "1.4.24", "Adjusts the slab automove algorithm."),
        .init(
            "slab_chunk_max", "524288", "integer", "16384-1048576", reboot: true, since: "1.5.0",
            "The maximum size of a slab chunk."),
        .init(
            "lru_crawler", "1", "boolean", zeroOne, since: "1.4.24", "Cleans slab classes of items that have expired."),
        .init(
            "lru_maintainer", "1", "boolean", zeroOne, reboot: true, since: "1.4.24",
            "A background thread that shuffles items between the LRUs as capacities are reached."),
        .init(
            "expirezero_does_not_evict", "0", "boolean", zeroOne, reboot: true, since: "1.4.24",
            "When used with lru_maintainer, makes items with an expiration time of 0 unevictable."),
        .init(
            "hash_algorithm", "murmur3", "string", "jenkins,murmur3", modifiable: false, since: "1.5.0",
            "The hash algorithm."),
        .init(
            "idle_timeout", "0", "integer", "0-", since: "1.5.0",
            "Seconds a client connection may be idle before it is closed."),
        .init(
            "track_sizes", "0", "boolean", zeroOne, reboot: true, since: "1.5.0",
            "Shows the sizes each slab group has consumed."),
        .init("watch", "0", "boolean", zeroOne, since: "1.5.0", "Whether the watch command is enabled."),
        .init(
            "worker_logbuf_size", "65536", "integer", "1-", reboot: true, since: "1.5.0",
            "Size in bytes of the per-worker log buffer."),
        .init(
            "inline_ascii_response", "0", "boolean", zeroOne, reboot: true, since: "1.5.0",
            "Stores numbers from the VALUE response inside an item."),
        .init("disable_flush_all", "0", "boolean", zeroOne, since: "1.6.0", "Whether flush_all is refused."),
        .init(
            "hashpower_init", "16", "integer", "0-64", reboot: true, since: "1.6.0",
            "The initial size of the hash table."),
        .init(
            "temporary_ttl", "61", "integer", "0-", reboot: true, since: "1.6.0",
            "Items with a TTL below this go to the temporary LRU."),
    ]

    static let evictionPolicies =
        "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction"

    static func redis(listpack: Bool, since: String) -> [ParameterSpec] {
        redisCommon(listpack: listpack, since: since) + redisAdded(since: since)
    }

    /// What the user guide lists as added in Redis OSS 5.0, 6.x and 7 (and so in Valkey).
    static func redisAdded(since: String) -> [ParameterSpec] {
        let major = Int(since.prefix { $0 != "." }) ?? 0
        var added: [ParameterSpec] = []
        if major >= 5 {
            added += [
                .init(
                    "active-defrag-max-scan-fields", "1000", "integer", "1-1000000", since: since,
                    "Maximum number of set/hash/zset/list fields that will be processed from the main dictionary scan."),
                .init(
                    "lua-replicate-commands", "yes", "string", yesNo, since: since,
                    "Always enable Lua effect replication or not for Lua scripts."),
                .init(
                    "replica-ignore-maxmemory", "yes", "string", yesNo, modifiable: false, since: since,
                    "Determines if replica ignores maxmemory setting by not evicting items independent from the primary."
                ),
                .init(
                    "rename-commands", "", "string", "", since: since,
                    "A space-separated list of renamed Redis commands, each followed by its new name."),
            ]
        }
        if major >= 6 {
            added += [
                .init(
                    "acllog-max-len", "128", "integer", "1-10000", since: since,
                    "The maximum number of entries in the ACL log."),
                .init(
                    "active-expire-effort", "1", "integer", "1-10", since: since,
                    "The amount of effort Redis spends removing expired keys (1 to 10)."),
                .init(
                    "tracking-table-max-keys", "1000000", "integer", "1-100000000", since: since,
                    "The maximum number of keys allowed in the client-side caching tracking table."),
            ]
        }
        if major >= 7 {
            added += [
                .init(
                    "cluster-allow-pubsubshard-when-down", "yes", "string", yesNo, since: since,
                    "Serve pubsub shard traffic while the cluster is down, for the slots the node owns."),
                .init(
                    "cluster-preferred-endpoint-type", "tls-dynamic", "string", "ip,tls-dynamic", since: since,
                    "Which endpoint MOVED/ASKING replies and CLUSTER SLOTS and CLUSTER SHARDS name."),
                .init(
                    "latency-tracking", "no", "string", yesNo, since: since,
                    "Track the latency of each command for INFO latencystats and LATENCY."),
            ]
        }
        return added
    }

    static func redisCommon(listpack: Bool, since: String) -> [ParameterSpec] {
        let compact = listpack ? "listpack" : "ziplist"
        return [
            .init("activedefrag", "no", "string", yesNo, since: since, "Enables active memory defragmentation."),
            .init(
                "active-defrag-cycle-max", "25", "integer", "1-75", since: since,
                "Maximal effort for defrag in CPU percentage."),
            .init(
                "active-defrag-cycle-min", "1", "integer", "1-75", since: since,
                "Minimal effort for defrag in CPU percentage."),
            .init(
                "active-defrag-ignore-bytes", "104857600", "integer", "1048576-", since: since,
                "Minimum amount of fragmentation waste to start active defrag."),
            .init(
                "active-defrag-threshold-lower", "10", "integer", "1-100", since: since,
                "Minimum percentage of fragmentation to start active defrag."),
            .init(
                "active-defrag-threshold-upper", "100", "integer", "1-100", since: since,
                "Maximum percentage of fragmentation at which we use maximum effort."),
            .init("activerehashing", "yes", "string", yesNo, reboot: true, since: since, "Apply rehashing or not."),
            .init(
                "appendfsync", "everysec", "string", "always,everysec,no", since: since,
                "fsync policy for AOF persistence."),
            .init("appendonly", "no", "string", yesNo, since: since, "Enable Redis persistence."),
            .init(
                "client-output-buffer-limit-normal-hard-limit", "0", "integer", "0-", since: since,
                "Normal client output buffer hard limit in bytes."),
            .init(
                "client-output-buffer-limit-normal-soft-limit", "0", "integer", "0-", since: since,
                "Normal client output buffer soft limit in bytes."),
            .init(
                "client-output-buffer-limit-normal-soft-seconds", "0", "integer", "0-", since: since,
                "Normal client output buffer soft limit in seconds."),
            .init(
                "client-output-buffer-limit-pubsub-hard-limit", "33554432", "integer", "0-", since: since,
                "Pubsub client output buffer hard limit in bytes."),
            .init(
                "client-output-buffer-limit-pubsub-soft-limit", "8388608", "integer", "0-", since: since,
                "Pubsub client output buffer soft limit in bytes."),
            .init(
                "client-output-buffer-limit-pubsub-soft-seconds", "60", "integer", "0-", since: since,
                "Pubsub client output buffer soft limit in seconds."),
            .init(
                "client-output-buffer-limit-replica-soft-seconds", "60", "integer", "0-", modifiable: false,
                since: since, "Replica client output buffer soft limit in seconds."),
            .init(
                "repl-timeout", "60", "integer", "11-", since: since,
                "The timeout in seconds for bulk transfer I/O during sync, and for the primary and replicas to see each other."
            ),
            .init(
                "reserved-memory", "0", "integer", "0-", since: since,
                "The amount of memory reserved for non-cache memory usage, in bytes (reserved-memory-percent is the default way)."
            ),
            .init(
                "close-on-replica-write", "yes", "string", yesNo, since: since,
                "If enabled, clients who attempt to write to a read-only replica will be disconnected."),
            .init("cluster-enabled", "no", "string", yesNo, reboot: true, since: since, "Enable cluster mode."),
            .init(
                "cluster-allow-reads-when-down", "no", "string", yesNo, since: since,
                "Allow reads while the cluster is down."),
            .init(
                "databases", "16", "integer", "1-1200000", reboot: true, since: since, "Set the number of databases."),
            .init(
                "hash-max-\(compact)-entries", "512", "integer", "0-", since: since,
                "The maximum number of hash entries in order for the dataset to be compressed."),
            .init(
                "hash-max-\(compact)-value", "64", "integer", "0-", since: since,
                "The threshold of biggest hash entries in order for the dataset to be compressed."),
            .init(
                "hll-sparse-max-bytes", "3000", "integer", "0-16000", since: since,
                "HyperLogLog sparse representation bytes limit."),
            .init(
                "lazyfree-lazy-eviction", "no", "string", yesNo, since: since,
                "Perform an asynchronous delete on evictions."),
            .init(
                "lazyfree-lazy-expire", "no", "string", yesNo, since: since,
                "Perform an asynchronous delete on expired keys."),
            .init(
                "lazyfree-lazy-server-del", "no", "string", yesNo, since: since,
                "Perform an asynchronous delete for commands which update values."),
            .init(
                "lazyfree-lazy-user-del", "no", "string", yesNo, since: since, "DEL behaves like UNLINK when enabled."),
            .init(
                "lfu-decay-time", "1", "integer", "0-", since: since,
                "The amount of time in minutes to decrement the key counter for LFU eviction policy."),
            .init(
                "lfu-log-factor", "10", "integer", "1-", since: since,
                "The log factor for incrementing key counter for LFU eviction policy."),
            .init(
                "list-compress-depth", "0", "integer", "0-", since: since,
                "Number of quicklist ziplist nodes from each side of the list to exclude from compression."),
            .init(
                "list-max-\(compact)-size", "-2", "integer", "-5-", since: since, "Maximum size of each quicklist node."
            ),
            .init(
                "lua-time-limit", "5000", "integer", "5000", modifiable: false, since: since,
                "Max execution time of a Lua script in milliseconds."),
            .init(
                "maxclients", "65000", "integer", "1-65000", modifiable: false, since: since,
                "The maximum number of connected clients."),
            .init("maxmemory-policy", "volatile-lru", "string", evictionPolicies, since: since, "Max memory policy."),
            .init("maxmemory-samples", "3", "integer", "1-", since: since, "Max memory samples."),
            .init(
                "min-replicas-max-lag", "10", "integer", "0-", since: since, "The maximum lag of a replica in seconds."),
            .init(
                "min-replicas-to-write", "0", "integer", "0-", since: since,
                "The minimum number of replicas that must be available for writes."),
            .init(
                "notify-keyspace-events", "", "string", "*", since: since,
                "The keyspace events for Redis to notify Pub/Sub clients about."),
            .init(
                "proto-max-bulk-len", "536870912", "integer", "1048576-536870912", since: since,
                "Max size of a single element request."),
            .init(
                "repl-backlog-size", "1048576", "integer", "16384-", since: since,
                "The replication backlog size in bytes."),
            .init(
                "repl-backlog-ttl", "3600", "integer", "0-", since: since,
                "Seconds after the last replica disconnects before the backlog is released."),
            .init(
                "reserved-memory-percent", "25", "integer", "0-100", since: since,
                "The percent of memory reserved for non-cache memory usage."),
            .init(
                "set-max-intset-entries", "512", "integer", "0-500000000", since: since,
                "The limit on the number of integers in a set for compressed encoding."),
            .init(
                "slowlog-log-slower-than", "10000", "integer", "0-", since: since,
                "The execution time, in microseconds, to exceed for the command to be logged."),
            .init("slowlog-max-len", "128", "integer", "0-", since: since, "The length of the slow log."),
            .init(
                "stream-node-max-bytes", "4096", "integer", "0-", since: since,
                "The max size of a single node in a stream in bytes."),
            .init(
                "stream-node-max-entries", "100", "integer", "0-", since: since,
                "The max number of items a single node in a stream can contain."),
            .init("tcp-keepalive", "300", "integer", "0-", since: since, "Seconds between TCP keepalive probes."),
            .init(
                "timeout", "0", "integer", "0,20-", since: since,
                "Close connections idle for this many seconds (0 disables)."),
            .init(
                "zset-max-\(compact)-entries", "128", "integer", "0-", since: since,
                "The maximum number of sorted set entries in order for the dataset to be compressed."),
            .init(
                "zset-max-\(compact)-value", "64", "integer", "0-", since: since,
                "The threshold of biggest sorted set entries in order for the dataset to be compressed."),
        ]
    }
}
