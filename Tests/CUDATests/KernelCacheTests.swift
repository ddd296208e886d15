import Dispatch
import FoundationEssentials
import Testing
@testable import RMSNorm
@testable import _CUDA
#if canImport(Glibc)
import Glibc
#endif

func temporaryDirectory() -> String {
    let path = "/tmp/rmsnorm-cache-test-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct KernelDiskCacheTests {
    let spec = KernelSpecialization(input: .bfloat16, weight: .float32, vectorWidth: 8)

    @Test func roundTripAndAtomicWrite() throws {
        let dir = temporaryDirectory()
        let key = KernelDiskCache.key(for: spec, arch: 90, nvrtc: (13, 0))
        let payload = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(KernelDiskCache.read(directory: dir, key: key) == nil)
        #expect(KernelDiskCache.write(directory: dir, key: key, cubin: payload))
        #expect(KernelDiskCache.read(directory: dir, key: key) == payload)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(files.count == 1 && files[0].hasSuffix(".cubin"), "temporary files left: \(files)")
    }

    @Test func keyCoversSourceOptionsNVRTCAndArch() {
        let a = KernelDiskCache.key(for: spec, arch: 90, nvrtc: (13, 0))
        #expect(a != KernelDiskCache.key(for: spec, arch: 80, nvrtc: (13, 0)))
        #expect(a != KernelDiskCache.key(for: spec, arch: 90, nvrtc: (12, 8)))
        #expect(a != KernelDiskCache.key(for: KernelSpecialization(input: .bfloat16, weight: .bfloat16, vectorWidth: 8), arch: 90, nvrtc: (13, 0)))
        #expect(a.contains(KernelSource.hash))
    }

    @Test func corruptTruncatedOrForeignEntriesAreNotTrusted() throws {
        let dir = temporaryDirectory()
        let key = KernelDiskCache.key(for: spec, arch: 90, nvrtc: (13, 0))
        let payload = [UInt8](repeating: 7, count: 4096)
        let path = KernelDiskCache.path(directory: dir, key: key)
        KernelDiskCache.write(directory: dir, key: key, cubin: payload)
        var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        // one flipped payload byte
        bytes[bytes.count - 10] ^= 0xff
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        #expect(KernelDiskCache.read(directory: dir, key: key) == nil)
        // truncated
        KernelDiskCache.write(directory: dir, key: key, cubin: payload)
        let whole = [UInt8](FileManager.default.contents(atPath: path)!)
        FileManager.default.createFile(atPath: path, contents: Data(whole.prefix(whole.count / 2)))
        #expect(KernelDiskCache.read(directory: dir, key: key) == nil)
        // an entry written under another key (e.g. another NVRTC) at this path
        let other = KernelDiskCache.key(for: spec, arch: 90, nvrtc: (12, 4))
        KernelDiskCache.write(directory: dir, key: other, cubin: payload)
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: KernelDiskCache.path(directory: dir, key: other), toPath: path)
        #expect(KernelDiskCache.read(directory: dir, key: key) == nil)
        // garbage
        FileManager.default.createFile(atPath: path, contents: Data("not a cubin".utf8))
        #expect(KernelDiskCache.read(directory: dir, key: key) == nil)
    }

    @Test func unwritableDirectoryIsNotAnError() {
        #expect(KernelDiskCache.write(directory: "/proc/rmsnorm-cannot-write", key: "k", cubin: [1, 2, 3]) == false)
    }

    @Test func defaultDirectoryHonoursOverrides() {
        setenv(KernelDiskCache.overrideVariable, "/tmp/x-rmsnorm-cache", 1)
        #expect(KernelDiskCache.defaultDirectory == "/tmp/x-rmsnorm-cache")
        unsetenv(KernelDiskCache.overrideVariable)
        setenv("XDG_CACHE_HOME", "/tmp/xdg", 1)
        #expect(KernelDiskCache.defaultDirectory == "/tmp/xdg/rmsnorm")
        unsetenv("XDG_CACHE_HOME")
        #expect(KernelDiskCache.defaultDirectory.hasSuffix("/.cache/rmsnorm"))
    }
}

@Suite struct KernelCacheCompileTests {
    /// 8 threads ask for the same kernel at once: NVRTC runs once, the rest read it back; a new
    /// cache over the same folder (a new process) compiles nothing; a corrupt entry is recompiled.
    @Test(.enabled(if: nvrtcAvailable || nvrtcRequired))
    func compilesOnceUnderContentionThenHitsDisk() throws {
        let dir = temporaryDirectory()
        let cache = KernelCache(directory: dir)
        let spec = KernelSpecialization(input: .float16, weight: .float16, vectorWidth: 4)
        let sizes = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let n = (try? cache.cubin(for: spec, arch: 90))?.count ?? -1
            sizes.withLock { $0.append(n) }
        }
        let all = sizes.withLock { $0 }
        #expect(all.count == 8 && Set(all).count == 1 && all[0] > 1000)
        #expect(cache.statistics.compiles == 1)
        #expect(cache.statistics.diskHits == 7)

        let second = KernelCache(directory: dir)
        _ = try second.cubin(for: spec, arch: 90)
        #expect(second.statistics.compiles == 0 && second.statistics.diskHits == 1)

        let key = KernelDiskCache.key(for: spec, arch: 90, nvrtc: try NVRTC.version())
        FileManager.default.createFile(atPath: KernelDiskCache.path(directory: dir, key: key), contents: Data([1, 2, 3]))
        let third = KernelCache(directory: dir)
        let rebuilt = try third.cubin(for: spec, arch: 90)
        #expect(third.statistics.compiles == 1 && rebuilt.count == all[0])
        #expect(KernelDiskCache.read(directory: dir, key: key) == rebuilt, "the corrupt entry was replaced")
    }
}

import Synchronization
