// swift-tools-version:6.2
import PackageDescription

// The FleetRedis benchmark, a package of its own so it builds in release
// without touching the root manifest. Run it through run.sh.
let package = Package(
    name: "redis-benchmark",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "fleet", path: "../.."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "RedisBenchmark",
            dependencies: [
                .product(name: "FleetRedis", package: "fleet"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: [
                .swiftLanguageMode(.v6),
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        )
    ]
)
