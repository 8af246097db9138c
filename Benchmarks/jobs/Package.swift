// swift-tools-version:6.2
import PackageDescription

// The job queue enqueue benchmark, a package of its own so it builds in release
// without touching the root manifest. Run it through enqueue.sh.
let package = Package(
    name: "jobs-benchmark",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "fleet", path: "../.."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "JobsBenchmark",
            dependencies: [
                .product(name: "FleetRedis", package: "fleet"),
                .product(name: "FleetState", package: "fleet"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [
                .swiftLanguageMode(.v6),
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        )
    ]
)
