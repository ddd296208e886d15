#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The whole file at `path`, or nil when it cannot be opened or read. Plain POSIX reads: FoundationEssentials'
/// `FileManager.contents(atPath:)` leaked a 4 KB buffer per read of an empty file under LeakSanitizer (the
/// autotune store's corrupt-file test), and both caches read files that may be empty or truncated.
func readWholeFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            return nil
        }
        if n == 0 { return result }
        result += chunk[0..<n]
    }
}
