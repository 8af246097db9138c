// swift-tools-version:6.2
import PackageDescription

// The RESP parser alone (its sources are symlinks into Sources/FleetRedis)
// with a libFuzzer entry point, instrumented for coverage and ASan. A shared
// library, because SwiftPM executables rename `main` and libFuzzer brings
// its own: ../run-resp-fuzz.sh links the fuzzer binary against it.
let package = Package(
    name: "RESPParserFuzz",
    products: [
        .library(name: "RESPParserFuzz", type: .dynamic, targets: ["RESPParserFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(
            name: "RESPParserFuzz",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: [
                .swiftLanguageMode(.v6),
                .enableUpcomingFeature("ExistentialAny"),
                .unsafeFlags(["-parse-as-library", "-sanitize=fuzzer,address"]),
            ]
        )
    ]
)
