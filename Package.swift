// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "hapesira",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hapesira", targets: ["hapesira"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
    ],
    targets: [
        // C libraries from Debian, wrapped thinly.
        .systemLibrary(name: "CLibical", pkgConfig: "libical", providers: [.apt(["libical-dev"])]),
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),

        // The pure domain core: bookings, rules, conflicts, availability. No I/O.
        .target(name: "HapesiraCore", swiftSettings: swiftSettings),

        // Adapters around the core.
        .target(
            name: "HapesiraICal",
            dependencies: ["CLibical", "HapesiraCore"],
            swiftSettings: swiftSettings
        ),
        // The one module that calls libmosquitto.
        .target(
            name: "HapesiraMQTT",
            dependencies: ["CMosquitto", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HapesiraConfig",
            dependencies: ["HapesiraCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HapesiraStore",
            dependencies: [
                "HapesiraCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API GRDB wraps: the sensor inbox's per-reading commit uses it directly.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                // Only its bcrypt (OpenBSD's C implementation); run off the cooperative pool.
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HapesiraHTTP",
            dependencies: [
                "HapesiraCore", "HapesiraICal", "HapesiraStore", "HapesiraConfig",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("openapi.yaml"), .copy("Web/Templates"), .copy("Web/Texts")],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "HapesiraSensors",
            dependencies: [
                "HapesiraCore", "HapesiraStore", "HapesiraMQTT", "HapesiraConfig",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),

        // The composition root: one binary with subcommands.
        .executableTarget(
            name: "hapesira",
            dependencies: [
                "HapesiraCore", "HapesiraICal", "HapesiraConfig", "HapesiraStore", "HapesiraHTTP", "HapesiraMQTT",
                "HapesiraSensors",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Benchmarks (not tests): `make bench`, `make bench-ingest`, `make bench-reports`; week-view.
        .executableTarget(
            name: "hapesira-bench",
            dependencies: [
                "HapesiraCore", "HapesiraICal", "HapesiraConfig", "HapesiraStore", "HapesiraMQTT", "HapesiraSensors",
                "HapesiraHTTP",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "HapesiraCoreTests", dependencies: ["HapesiraCore"], swiftSettings: swiftSettings),
        // Shared by the test targets: runs the Python iCalendar cross-check.
        .target(name: "HapesiraTestSupport", path: "Tests/Support", swiftSettings: swiftSettings),
        .testTarget(
            name: "HapesiraICalTests",
            dependencies: ["HapesiraICal", "HapesiraCore", "HapesiraTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HapesiraConfigTests",
            dependencies: ["HapesiraConfig", "HapesiraCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HapesiraStoreTests",
            dependencies: [
                "HapesiraStore", "HapesiraCore", "HapesiraICal", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HapesiraMQTTTests",
            dependencies: [
                "HapesiraMQTT", "HapesiraSensors", "HapesiraStore", "HapesiraCore", "HapesiraConfig", "HapesiraICal",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HapesiraHTTPTests",
            dependencies: [
                "HapesiraHTTP", "HapesiraStore", "HapesiraCore", "HapesiraICal", "HapesiraConfig",
                "HapesiraTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
