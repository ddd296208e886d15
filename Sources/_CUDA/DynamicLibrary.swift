#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A shared library opened with `dlopen`, kept open for the life of the process.
///
/// CUDA libraries are never linked at build time: the package builds on machines
/// with no NVIDIA software and looks for the libraries only when a GPU call is made.
public final class DynamicLibrary: @unchecked Sendable {
    public let path: String
    let handle: UnsafeMutableRawPointer

    init(path: String, handle: UnsafeMutableRawPointer) {
        self.path = path
        self.handle = handle
    }

    /// Opens the first candidate that loads; the error lists every name tried and why it failed.
    public static func open(
        library: String, candidates: [String], hint: String
    ) throws(CUDALoaderError) -> DynamicLibrary {
        var tried: [CUDALoaderError.Attempt] = []
        for candidate in candidates {
            if let handle = dlopen(candidate, RTLD_NOW | RTLD_LOCAL) {
                return DynamicLibrary(path: candidate, handle: handle)
            }
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            tried.append(.init(name: candidate, reason: reason))
        }
        throw .libraryNotFound(library: library, tried: tried, hint: hint)
    }

    /// Looks up a C symbol by its exact exported name (versioned names such as `cuMemAlloc_v2`).
    public func symbol<T>(_ name: String, as type: T.Type) throws(CUDALoaderError) -> T {
        guard let raw = dlsym(handle, name) else {
            throw .symbolMissing(library: path, symbol: name)
        }
        return unsafeBitCast(raw, to: type)
    }

    /// Like ``symbol(_:as:)`` but returns nil when the symbol is absent (optional features).
    public func optionalSymbol<T>(_ name: String, as type: T.Type) -> T? {
        guard let raw = dlsym(handle, name) else { return nil }
        return unsafeBitCast(raw, to: type)
    }
}

/// Reads an environment variable; empty counts as unset. (Shared by every module of the package.)
public func environmentVariable(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let string = String(cString: value)
    return string.isEmpty ? nil : string
}
