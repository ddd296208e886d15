import Foundation
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
