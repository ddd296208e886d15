#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func environmentValue(_ name: String) -> String? {
    guard let v = getenv(name) else { return nil }
    let s = String(cString: v)
    return s.isEmpty ? nil : s
}
