import Foundation
import Synchronization
import Testing
@testable import RMSNorm
@testable import _CUDA

/// NVRTC must be installed for these (CI installs the PyPI package `nvidia-cuda-nvrtc`).
/// Set RMSNORM_REQUIRE_NVRTC=1 to make its absence a failure rather than a skip.
let nvrtcAvailable: Bool = (try? NVRTC.version()) != nil
let nvrtcRequired = ProcessInfo.processInfo.environment["RMSNORM_REQUIRE_NVRTC"] == "1"

@Suite struct KernelCompileTests {
    @Test func nvrtcIsPresentWhenRequired() throws {
        if nvrtcRequired {
            let v = try NVRTC.version()
            #expect(v.major >= 12)
        }
    }

    /// Every specialisation the launcher can pick compiles for Ampere and Hopper, and the CUBIN
    /// holds every kernel entry point the launcher may name.
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired), arguments: [80, 90])
    func everySpecializationCompiles(arch: Int) throws {
        let specs = KernelSpecialization.all
        #expect(specs.count == 38)
        for spec in specs {
            let cubin = try NVRTC.compileToCUBIN(
                source: KernelSource.text, name: "rmsnorm.cu", options: spec.compileOptions(arch: arch))
            #expect(cubin.count > 1000)
            #expect(Array(cubin.prefix(4)) == [0x7f, 0x45, 0x4c, 0x46], "CUBIN is an ELF file")
            let text = String(decoding: cubin, as: UTF8.self)
            for name in spec.kernelNames {
                #expect(text.contains(name), "\(spec) sm_\(arch): \(name) missing")
            }
        }
    }

    /// The variant modules (fused add, casting modes, fp8 output, backward) compile for Ampere
    /// (fp8 through the software conversion) and Hopper (the hardware one), with every entry point.
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired), arguments: [80, 90])
    func variantSpecializationsCompile(arch: Int) throws {
        let specs = KernelSpecialization.variants
        #expect(specs.count == 54)  // 32 variant modules, 16 TINY_EPS ones, 6 with RECOMPUTE alone
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: specs.count) { i in
            let spec = specs[i]
            do {
                let cubin = try NVRTC.compileToCUBIN(
                    source: KernelSource.text, name: "rmsnorm.cu", options: spec.compileOptions(arch: arch))
                let text = String(decoding: cubin, as: UTF8.self)
                for name in spec.kernelNames where !text.contains(name) {
                    failures.withLock { $0.append("\(spec) sm_\(arch): \(name) missing") }
                }
            } catch {
                failures.withLock { $0.append("\(spec) sm_\(arch): \(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
    }

    @Test func variantFlagsOnlyWhenSet() {
        let plain = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8)
        #expect(!plain.compileOptions(arch: 90).flags.contains {
            $0.contains("RESID") || $0.contains("KIND") || $0.contains("CAST") || $0.contains("TINY_EPS")
        })
        let tiny = KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8,
            tinyEps: KernelSpecialization.needsTinyEpsPath(eps: 0))
        #expect(tiny.compileOptions(arch: 90).flags.contains { $0.contains("TINY_EPS=1") })
        #expect(!KernelSpecialization.needsTinyEpsPath(eps: 1e-6) && !KernelSpecialization.needsTinyEpsPath(eps: 1e-20))
        let v = KernelSpecialization(input: .bfloat16, weight: .float32, vectorWidth: 8, residual: true, casting: .none,
            fp8Output: true, backward: true)
        let flags = v.compileOptions(arch: 90).flags
        for f in ["-DRESID=1", "-DCAST=2", "-DOUT_T=3", "-DKIND=1"] { #expect(flags.contains(f), "\(flags)") }
        // fp32 has one casting mode.
        #expect(KernelSpecialization(input: .float32, weight: .float32, vectorWidth: 4, casting: .llama).casting == .gemma)
    }

    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired))
    func compileErrorCarriesLogAndOptions() throws {
        let options = CompileOptions(arch: 90, defines: [("IN_T", "0")])
        do {
            _ = try NVRTC.compileToCUBIN(source: "this is not C++;", name: "bad.cu", options: options)
            Issue.record("bad source compiled")
        } catch let error {
            guard case .nvrtc(let e) = error else { Issue.record("wrong error \(error)"); return }
            #expect(e.log.contains("bad.cu"))
            #expect(e.options.contains("--gpu-architecture=sm_90"))
            #expect(e.description.contains("log:"))
        }
    }

    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired))
    func unsupportedArchitectureIsAClearError() throws {
        do {
            _ = try NVRTC.compileToCUBIN(
                source: KernelSource.text, name: "rmsnorm.cu", options: CompileOptions(arch: 11))
            Issue.record("sm_11 compiled")
        } catch {
            #expect(error.description.contains("sm_11"))
        }
    }
}
