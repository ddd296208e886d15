import Testing
@testable import RMSNorm
@testable import _CUDA
#if canImport(Glibc)
import Glibc
#endif

@Suite struct LoaderTests {
    @Test func missingLibraryListsEveryNameAndTheFix() {
        do {
            _ = try DynamicLibrary.open(
                library: "CUDA driver (libcuda)", candidates: ["/nonexistent/libcuda.so.1", "libdoesnotexist.so"],
                hint: DriverLocator.hint)
            Issue.record("opened a library that does not exist")
        } catch {
            let text = error.description
            #expect(text.contains("/nonexistent/libcuda.so.1"))
            #expect(text.contains("libdoesnotexist.so"))
            #expect(text.contains("Install the NVIDIA driver"))
            #expect(text.contains(DriverLocator.overrideVariable))
        }
    }

    @Test func missingSymbolIsNamed() throws {
        let libc = try DynamicLibrary.open(library: "libc", candidates: ["libc.so.6"], hint: "")
        typealias Fn = @convention(c) () -> Int32
        do {
            _ = try libc.symbol("cuInit", as: Fn.self)
            Issue.record("libc exported cuInit")
        } catch {
            #expect(error == .symbolMissing(library: "libc.so.6", symbol: "cuInit"))
            #expect(error.description.contains("cuInit"))
        }
        #expect(libc.optionalSymbol("cuInit", as: Fn.self) == nil)
        #expect(libc.optionalSymbol("getpid", as: Fn.self) != nil)
    }

    @Test func driverWithoutSymbolsIsRefused() throws {
        // A real shared library that is not libcuda: loading the driver API from it must fail on a symbol.
        let libm = try DynamicLibrary.open(library: "libm", candidates: ["libm.so.6"], hint: "")
        do {
            _ = try DriverAPI(libm)
            Issue.record("libm accepted as the CUDA driver")
        } catch {
            #expect(error.description.contains("cuInit"))
        }
        do {
            _ = try NVRTCAPI(libm)
            Issue.record("libm accepted as NVRTC")
        } catch {
            #expect(error.description.contains("nvrtc"))
        }
    }

    @Test func overridesReplaceTheSearchList() {
        setenv(DriverLocator.overrideVariable, "/opt/custom/libcuda.so.1", 1)
        setenv(NVRTCLocator.overrideVariable, "/opt/custom/libnvrtc.so.13", 1)
        defer {
            unsetenv(DriverLocator.overrideVariable)
            unsetenv(NVRTCLocator.overrideVariable)
        }
        #expect(DriverLocator.candidates() == ["/opt/custom/libcuda.so.1"])
        #expect(NVRTCLocator.candidates() == ["/opt/custom/libnvrtc.so.13"])
    }

    @Test func defaultSearchListCoversToolkitAndPyPI() {
        setenv("CUDA_HOME", "/opt/cuda-test", 1)
        defer { unsetenv("CUDA_HOME") }
        let list = NVRTCLocator.candidates()
        #expect(Array(list.prefix(3)) == ["libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12"])
        #expect(list.contains("/opt/cuda-test/lib64/libnvrtc.so.13"))
        #expect(list.contains { $0.hasSuffix("/nvidia/cu13/lib/libnvrtc.so.13") })
        #expect(DriverLocator.candidates() == ["libcuda.so.1", "libcuda.so"])
    }

    /// On a machine without the NVIDIA driver (CI), the GPU backend explains itself and
    /// `.automatic` falls back to the CPU.
    @Test(.enabled(if: cudaUnavailableReason() != nil))
    func noGPUMeansAClearErrorAndACPUFallback() throws {
        let reason = cudaUnavailableReason()!
        #expect(reason.contains("libcuda") || reason.contains("GPU") || reason.contains("NVRTC"))
        do {
            _ = try rmsNorm([Float](repeating: 1, count: 8), weight: [Float](repeating: 1, count: 8), backend: .cuda())
            Issue.record(".cuda succeeded without a GPU")
        } catch {
            guard case .backendUnavailable(let text) = error else { Issue.record("\(error)"); return }
            #expect(text.contains("Install") || text.contains("install"))
        }
        let y = try rmsNorm([Float](repeating: 2, count: 8), weight: [Float](repeating: 1, count: 8), eps: 0, backend: .automatic)
        #expect(y == [Float](repeating: 1, count: 8))
    }
}
