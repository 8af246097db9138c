// swift-tools-version:6.3
import PackageDescription

// Allocations per request on Fleet's HTTP/1 pipeline, measured with
// package-benchmark's malloc interposer. A package of its own, like
// Benchmarks/redis, so the root manifest and CI stay untouched. Run run.sh.
let package = Package(
    name: "alloc-benchmark",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "fleet", path: "../.."),
        // Only the malloc interposer: the default RuntimeInterposer trait needs a
        // package (swift-runtime-interposer) that is not available here.
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "FastPath",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "FleetHTTP", package: "fleet"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Benchmarks/FastPath",
            swiftSettings: [
                .swiftLanguageMode(.v6),
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
