// swift-tools-version:6.2
import Foundation
import PackageDescription

/// `CACHETRAIL_STRICT=1` (the test command sets it) makes every warning in our own targets an
/// error; a user's build with a newer compiler is not broken by a new warning.
let strict = ProcessInfo.processInfo.environment["CACHETRAIL_STRICT"] == "1"

let swiftSettings: [SwiftSetting] =
    [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        // A section per function, so that the release link can order each one (below); the
        // compiler gives most functions none of their own. Dependencies get it only from the
        // command line (README, "Release builds").
        .unsafeFlags(["-Xfrontend", "-function-sections"], .when(platforms: [.linux], configuration: .release)),
    ] + (strict ? [.treatAllWarnings(as: .error)] : [])

/// A release link puts the functions a running server executes side by side, hottest first
/// (`scripts/link-order.txt`, written by `scripts/link_order.py` from a callgrind training run), so
/// that fewer pages of the binary's code are resident; relative relocations are packed (DT_RELR), so
/// that the loader reads 50 KB of them instead of 3.5 MB. lld, which ships with the toolchain, links.
/// `scripts/unnamed-functions.ld` gathers the functions that have no symbol to order them by (the
/// compiler's value-witness thunks, ~8,000 of 16–48 bytes) in one place before the ordered code.
/// `--no-export-dynamic` undoes the toolchain's `-export-dynamic` for `-static-stdlib` links: the
/// loader searched our 57,000 exported symbols at each symbol it bound (3.2 MiB of their tables
/// resident), and nothing looks up the executable's own symbols at run time (a
/// `-static-executable` link, which exports none, runs the same runtime).
let orderedReleaseLink: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-use-ld=lld", "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/scripts/link-order.txt",
            "-Xlinker", "--no-warn-symbol-ordering", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
            "-Xlinker", "--script=\(Context.packageDirectory)/scripts/unnamed-functions.ld",
            "-Xlinker", "--no-export-dynamic",
        ],
        .when(platforms: [.linux], configuration: .release)
    )
]

let package = Package(
    name: "cachetrail",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cachetrail", targets: ["cachetrail"]),
        .executable(name: "wire-fuzz", targets: ["WireFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .target(name: "AWSModels", swiftSettings: swiftSettings),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .systemLibrary(name: "CSched", path: "Sources/CSched"),
        .systemLibrary(name: "CSQLiteConfig", path: "Sources/CSQLiteConfig"),
        .target(
            name: "AWSWire",
            dependencies: ["AWSModels"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SigV4",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Persistence",
            dependencies: ["CSched", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ServiceContract",
            dependencies: ["AWSModels", "AWSWire", "Persistence"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IAM",
            dependencies: [
                "AWSModels", "AWSWire", "Persistence", "ServiceContract", "SigV4",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CloudTrail",
            dependencies: [
                "ServiceContract",
                "AWSModels", "AWSWire", "Persistence", "SigV4", "CZlib",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Notifications",
            dependencies: [
                "ServiceContract",
                "AWSModels", "AWSWire", "IAM", "Persistence",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ObjectStore",
            dependencies: [
                "ServiceContract",
                "AWSModels", "AWSWire", "IAM", "Persistence", "SigV4", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ElastiCache",
            dependencies: ["AWSModels", "AWSWire", "Persistence", "ServiceContract"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ResourceTagging", dependencies: ["ServiceContract", "AWSModels", "AWSWire", "Persistence"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CacheNodes",
            dependencies: [
                "ElastiCache", "Persistence", "SigV4", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Console",
            dependencies: [
                "ServiceContract", "AWSModels", "AWSWire", "SigV4", "IAM", "Persistence", "CloudTrail",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CacheTrailServer",
            dependencies: [
                "ServiceContract",
                "AWSModels", "AWSWire", "SigV4", "IAM", "Persistence", "CloudTrail", "ElastiCache", "ObjectStore",
                "Notifications", "CacheNodes", "ResourceTagging", "Console",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "cachetrail",
            dependencies: [
                "CacheTrailServer", "CloudTrail", "IAM", "ElastiCache", "SigV4", "CacheNodes", "AWSModels", "CMalloc",
                "CSQLiteConfig", .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: orderedReleaseLink
        ),
        .executableTarget(
            name: "WireFuzz",
            dependencies: ["AWSModels", "AWSWire", "SigV4"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CloudTrailTests",
            dependencies: [
                "ServiceContract",
                "CloudTrail", "CacheTrailServer", "IAM", "AWSWire", "AWSModels", "Persistence", "ObjectStore", "SigV4",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ElastiCacheTests",
            dependencies: ["ServiceContract", "ElastiCache", "AWSWire", "AWSModels", "Persistence"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NotificationsTests",
            dependencies: [
                "Notifications", "AWSWire", "AWSModels", "IAM", "Persistence",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ObjectStoreTests", dependencies: ["ObjectStore", "AWSWire", "ServiceContract"], swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConsoleTests",
            dependencies: [
                "Console", "IAM", "Persistence", "ServiceContract",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PersistenceTests",
            dependencies: ["Persistence", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: swiftSettings),
        .testTarget(
            name: "CacheNodesTests",
            dependencies: [
                "CacheNodes", .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "ResourceTaggingTests", dependencies: ["ResourceTagging"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CacheTrailServerTests",
            dependencies: [
                "CacheTrailServer", "CloudTrail", "AWSWire", "ElastiCache", "IAM", "Persistence", "SigV4", "Console",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "AWSWireTests", dependencies: ["AWSWire", "AWSModels"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SigV4Tests",
            dependencies: ["SigV4", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IAMTests", dependencies: ["ServiceContract", "IAM", "AWSWire", "AWSModels", "Persistence"],
            swiftSettings: swiftSettings
        ),
    ]
)
