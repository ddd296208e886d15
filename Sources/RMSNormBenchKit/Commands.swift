#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import FoundationEssentials
import RMSNorm

public struct RMSNormBench: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rmsnorm-bench",
        abstract: "Verify and benchmark RMSNorm: ours against PyTorch, torch.compile, Triton, Liger and Quack.",
        discussion: """
            With a GPU (NVIDIA driver + NVRTC) it times the CUDA kernels and every peer found in python3; \
            without one it runs the same report for the CPU backend, with numpy as the peer.
            """,
        subcommands: [Run.self, Verify.self, Tune.self, Resources.self, Stress.self, Host.self, AB.self],
        defaultSubcommand: Run.self)
    public init() {}
}

/// Options shared by the benchmark.
public struct BenchOptions: ParsableArguments {
    @Option(help: "Shape suite: seed (fp32, N=128, M=1Ki…1Mi), llm (bf16 model sizes, fp16/fp32 at 4096), awkward (odd and huge N, prime M) or all.")
    public var suite: String = "all"

    @Option(help: "Custom shapes instead of a suite: MxN[:dtype],… e.g. 4096x7168:bf16,1x4096:fp16.")
    public var shapes: String?

    @Option(help: "Only shapes of this dtype (fp32, fp16, bf16); also the dtype of custom shapes written without one.")
    public var dtype: String?

    @Option(help: "Comma-separated methods to run: ours and peers (torch_native, torch_compile, torch_unfused, triton_simple, liger, quack; numpy on CPU).")
    public var methods: String?

    @Flag(help: "Graph mode: time K back-to-back launches captured in a CUDA graph (device time for small shapes).")
    public var graph = false

    @Option(help: "Launches per graph in --graph mode.")
    public var graphK: Int = 100

    @Flag(help: "Launch ours and our copy reference with programmatic dependent launch (a stream created with programmaticDependentLaunch; sm_90+): with --graph, each launch overlaps the previous one's tail. The peers launch as they always do.")
    public var pdl = false

    @Flag(help: "Skip the Python peers.")
    public var noPeers = false

    @Flag(help: "Skip the second timing of ours at each shape (by default ours is timed twice in a run; the spread between the two decides ties against the peers).")
    public var noRepeat = false

    @Option(help: "Python interpreter for the peers (default: python3 on PATH).")
    public var python: String?

    @Option(help: "Folder for benchmark.csv, benchmark.json and benchmark.svg.")
    public var output: String = "outputs"

    @Option(help: "Minimum timed repetitions per shape (median reported; more for small shapes).")
    public var reps: Int = 50

    @Option(help: "GPU ordinal.")
    public var device: Int = 0

    @Flag(help: "Benchmark the CPU backend even when a GPU is usable.")
    public var cpu = false

    @Option(help: "Operation to time: forward, add (fused residual add), gemma (offset 1), llama (casting mode), fp8 (e4m3 output), add-fp8, backward, add-backward (the fused add's backward: dx from h, dy and the residual's gradient).")
    public var variant: String = "forward"

    @Flag(help: "Time the backward pass (the same as --variant backward).")
    public var backward = false

    @Flag(help: "Forward only: tune ours at each shape first (every candidate plan timed; the winner stored on disk per GPU and shape class, see Autotune) and time the tuned plan.")
    public var autotune = false

    /// The operation this run times.
    public var benchVariant: BenchVariant { backward ? .backward : BenchVariant(rawValue: variant) ?? .forward }

    public init() {}

    public mutating func validate() throws {
        guard Suites.names.contains(suite) else {
            throw ValidationError("unknown suite '\(suite)'; choose one of: seed, llm, awkward, all")
        }
        if let dtype, DType(parsing: dtype) == nil {
            throw ValidationError("unknown dtype '\(dtype)'; use fp32, fp16 or bf16")
        }
        if let shapes {
            do { _ = try Suites.parse(shapes, defaultType: .float32) } catch { throw ValidationError(error.description) }
        }
        guard reps >= 1 else { throw ValidationError("--reps must be at least 1") }
        do { try BenchEnvironment.validate(environmentVariable) } catch { throw ValidationError(error.description) }
        guard BenchVariant(rawValue: variant) != nil else {
            throw ValidationError("unknown variant '\(variant)'; choose one of: \(BenchVariant.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if backward && variant != "forward" && variant != "backward" {
            throw ValidationError("--backward and --variant \(variant) contradict each other; give one of them")
        }
        if graph && benchVariant != .forward && !(noPeers || methodList == ["ours"]) {
            throw ValidationError("--graph with --variant times ours only (the peers' variants run under events); add --no-peers, or drop --graph or --variant")
        }
        if autotune && benchVariant != .forward {
            throw ValidationError("--autotune tunes the forward only; drop --autotune or --variant")
        }
        guard graphK >= 1 && graphK <= 10_000 else { throw ValidationError("--graph-k must be between 1 and 10000") }
        if let list = methodList {
            let known = Set(["ours"] + Self.peerNames + ["numpy", "torch_copy"])
            for m in list where !known.contains(m) {
                throw ValidationError("unknown method '\(m)'; choose from: \(known.sorted().joined(separator: ", "))")
            }
        }
    }

    static let peerNames = ["torch_native", "torch_compile", "torch_unfused", "triton_simple", "liger", "quack"]

    var methodList: [String]? {
        methods.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty } }
    }

    /// The shapes to run, in order.
    func resolvedShapes() throws -> [BenchShape] {
        let filter = dtype.flatMap(DType.init(parsing:))
        var list = try shapes.map { try Suites.parse($0, defaultType: filter ?? .float32) } ?? Suites.shapes(suite: suite)
        if shapes == nil, let filter { list = list.filter { $0.type == filter } }
        return list.map { $0.as(benchVariant) }
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Verification table, sweeps and summary; writes CSV, JSON and SVG (the default).")

    @OptionGroup var options: BenchOptions

    func run() throws {
        let shapes = try options.resolvedShapes()
        if !options.cpu, cudaUnavailableReason() == nil {
            try GPURun(options: options, shapes: shapes).run()
        } else {
            let reason = options.cpu ? "--cpu was given" : cudaUnavailableReason()!.replacing("\n", with: " ")
            print("GPU path unavailable: \(reason)")
            print("Running the CPU backend instead.\n")
            try CPURun(options: options, reason: reason).run()
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "GPU conformance matrix against the fp64 CPU reference; ends with 'N passed, N failed'.")

    @Flag(help: "A smaller matrix (M·N ≤ 2 M elements per case).")
    var quick = false

    @Flag(help: "Only the variants (fused add, Gemma offset, casting modes, fp8 output, backward).")
    var variantsOnly = false

    @Option(help: "At most this many elements (M·N) per case, e.g. for runs under compute-sanitizer.")
    var maxElements: Int?

    @Option(help: "Only the cases whose description contains this text (e.g. \"plan split\" for the forced split-row plans).")
    var match: String?

    @Option(help: "GPU ordinal.")
    var device: Int = 0

    func run() throws {
        let gpu: CUDADevice
        do {
            gpu = try CUDADevice.get(device)
            _ = try NVRTC.version()
        } catch {
            print("verify needs a GPU: \(error)")
            throw ExitCode(1)
        }
        let nvrtc = (try? NVRTC.version()).map { "\($0.major).\($0.minor)" } ?? "?"
        print("device: \(gpu.name), sm_\(gpu.arch), \(gpu.multiprocessorCount) SMs; driver \(formatDriver((try? CUDADevice.driverVersion()) ?? 0)); NVRTC \(nvrtc)")
        print("tolerance: fp32 |y-ref| <= 1e-5*max(1,|ref|); fp16/bf16 within 1 ulp of the correctly rounded fp64 reference; rstd relative 1e-5")
        let start = Date()
        let (passed, failed) = Conformance.run(
            device: gpu, quick: quick, variantsOnly: variantsOnly, maxElements: maxElements ?? .max, match: match) { print($0) }
        let stats = KernelCache.shared.statistics
        print(format("kernel cache: %d compiled (%.1f s in NVRTC), %d from disk; %.1f s in all",
            stats.compiles, stats.compileSeconds, stats.diskHits, Date().timeIntervalSince(start)))
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}

func formatDriver(_ v: Int) -> String { "\(v / 1000).\((v % 1000) / 10)" }

/// Progress on stderr, only when it is a terminal.
func progress(_ text: String) {
    guard isatty(2) != 0 else { return }
    writeStderr("\r\u{1b}[K" + text)
}
func progressDone() {
    guard isatty(2) != 0 else { return }
    writeStderr("\r\u{1b}[K")
}

func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
    if s.count >= width { return s }
    let fill = String(repeating: " ", count: width - s.count)
    return right ? fill + s : s + fill
}

