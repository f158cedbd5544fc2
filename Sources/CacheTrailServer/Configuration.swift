import CloudTrail
import ElastiCache
import Foundation
import Persistence

/// How the server runs. Every key has a default; the `serve` command fills them from flags and
/// `CACHETRAIL_*` environment variables.
///
/// - `host` (`CACHETRAIL_HOST`, default `127.0.0.1`): address to bind; a non-loopback address
///   needs `allowRemote`.
/// - `port` (`CACHETRAIL_PORT`, default `4577`).
/// - `dataDirectory` (`CACHETRAIL_DATA_DIR`, default `./.cachetrail`): state, credentials.
/// - `accountId` (`CACHETRAIL_ACCOUNT_ID`, default `000000000000`): the default account.
/// - `rootAccessKeyId` / `rootSecretAccessKey` (`CACHETRAIL_ROOT_ACCESS_KEY_ID`,
///   `CACHETRAIL_ROOT_SECRET_ACCESS_KEY`): preset root credentials for the default account.
/// - `manualClock` (`--clock manual`): time moves only through `POST /_cachetrail/clock`.
/// - `maxBodyBytes`: the largest request body accepted (an S3 single PUT); Query and JSON
///   bodies are limited to 1 MiB.
/// - `elastiCache` (`--lifecycle-seconds`): how long cluster transitions take, quotas.
/// - `deliveryInterval` (`--delivery-interval`, default 300 s as AWS): how long an event may
///   wait for its log file; `deliveryMaxFileBytes` (`--delivery-max-file-bytes`): records per
///   file before it is cut early; `deliveryTick`: how often delivery looks.
/// - `nodes` (`--nodes real|none`, `CACHETRAIL_NODES`; default real when `memcached` or
///   `redis-server` is on PATH): whether cache clusters get real node processes;
///   `nodePorts` (`--node-ports`, default 21000-21999) and `nodeHost` (`--node-host`, default
///   127.0.0.1) are where they listen.
/// - `externalBucket` (`--s3-endpoint`, `CACHETRAIL_S3_ACCESS_KEY_ID`,
///   `CACHETRAIL_S3_SECRET_ACCESS_KEY`, `--s3-region`): an S3-compatible endpoint that holds
///   the trail buckets the embedded store does not.
package struct ServerConfiguration: Sendable {
    package var host = "127.0.0.1"
    package var port = 4577
    package var allowRemote = false
    package var dataDirectory = "./.cachetrail"
    package var accountId = "000000000000"
    package var rootAccessKeyId: String?
    package var rootSecretAccessKey: String?
    package var manualClock = false
    package var maxBodyBytes = 256 << 20
    package var elastiCache = ElastiCacheSettings()
    package var deliveryInterval: TimeInterval = 300
    package var deliveryMaxFileBytes = 50 << 20
    package var deliveryTick: Duration = .milliseconds(250)
    /// Real node processes (nil: when a program for some engine is installed).
    package var realNodes: Bool?
    package var nodePorts: ClosedRange<Int> = 21_000...21_999
    package var nodeHost = "127.0.0.1"
    /// Proxies whose `X-Forwarded-For` names the caller (`--trusted-proxy`, addresses or CIDR).
    package var trustedProxies: [String] = []
    /// Off only to measure what capture costs (`--benchmark-without-capture`).
    package var capture = true
    package var externalBucket: ExternalBucket?

    package init() {}

    /// Whether `host` is a loopback address (binding elsewhere needs `allowRemote`).
    package var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    package var statePath: String { (dataDirectory as NSString).appendingPathComponent("state.sqlite") }
    /// The state store's files: the database with its log, and the journal index with its log.
    package var stateFiles: [String] {
        let index = (dataDirectory as NSString).appendingPathComponent(SQLiteStateStore.journalIndexFile)
        return [statePath, index].flatMap { base in ["", "-wal", "-shm"].map { base + $0 } }
    }
    package var credentialsPath: String { (dataDirectory as NSString).appendingPathComponent("credentials") }
}
