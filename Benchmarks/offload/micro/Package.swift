// swift-tools-version:6.2
import PackageDescription

// Per-job cost of the two ways to run blocking work off the event loops:
// NIOThreadPool.runIfActive against a thread-backed TaskExecutor. A package of
// its own so it builds in release on swift-nio alone. Run it through ../run.sh micro.
let package = Package(
    name: "offload-micro",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2")
    ],
    targets: [
        .executableTarget(
            name: "OffloadMicro",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: [
                .swiftLanguageMode(.v6),
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        )
    ]
)
