// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "swift-rmsnorm",
    platforms: [.macOS(.v15)],
    products: [
        // MARK: Public modules
        .library(name: "RMSNorm", targets: ["RMSNorm"]),
        // MARK: Tools
        .executable(name: "rmsnorm-bench", targets: ["rmsnorm-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: Public modules
        .target(
            name: "RMSNorm",
            dependencies: ["_CUDA"],
            resources: [.embedInCode("Kernels/rmsnorm.cu")]
        ),

        // MARK: Implementation details (no stable API)
        .target(name: "_CUDA", exclude: ["README.md"]),
        // Seeded random data and the tolerance rule, shared by the tests and `rmsnorm-bench verify`.
        .target(name: "RMSNormTestSupport", dependencies: ["RMSNorm"]),
        .target(
            name: "RMSNormBenchKit",
            dependencies: [
                "RMSNorm", "RMSNormTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [.embedInCode("peers.py")]
        ),

        // MARK: Tools
        .executableTarget(name: "rmsnorm-bench", dependencies: ["RMSNormBenchKit"]),

        // MARK: Tests
        .testTarget(name: "RMSNormTests", dependencies: ["RMSNorm", "RMSNormTestSupport"]),
        .testTarget(name: "CUDATests", dependencies: ["_CUDA", "RMSNorm", "RMSNormTestSupport"]),
        .testTarget(name: "BenchTests", dependencies: ["RMSNormBenchKit"]),
    ]
)
