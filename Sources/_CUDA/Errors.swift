/// A CUDA library could not be found or lacks a symbol.
public enum CUDALoaderError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Attempt: Sendable, Equatable {
        public var name: String
        public var reason: String
    }
    case libraryNotFound(library: String, tried: [Attempt], hint: String)
    case symbolMissing(library: String, symbol: String)

    public var description: String {
        switch self {
        case let .libraryNotFound(library, tried, hint):
            var lines = ["\(library) could not be loaded. Tried:"]
            for attempt in tried { lines.append("  \(attempt.name): \(attempt.reason)") }
            lines.append(hint)
            return lines.joined(separator: "\n")
        case let .symbolMissing(library, symbol):
            return "\(library) has no symbol \(symbol): the library is too old or not the one expected. "
                + "Install a newer NVIDIA driver / CUDA toolkit."
        }
    }
}

/// A CUDA driver call returned an error status.
public struct CUDADriverError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The raw `CUresult` (an open set: unknown codes are kept as they are).
    public var code: Int32
    public var call: String
    public var name: String
    public var message: String

    public var description: String {
        "\(call) failed: \(name) (\(code)): \(message)"
    }

    public static let outOfMemory: Int32 = 2
    public static let noDevice: Int32 = 100
    public static let invalidDevice: Int32 = 101
}

/// An NVRTC call failed; a failed compile carries the log and the options used.
public struct NVRTCError: Error, CustomStringConvertible, Sendable, Equatable {
    public var code: Int32
    public var call: String
    public var message: String
    public var log: String
    public var options: [String]

    public var description: String {
        var text = "\(call) failed: \(message) (\(code))"
        if !options.isEmpty { text += "\noptions: " + options.joined(separator: " ") }
        if !log.isEmpty { text += "\nlog:\n" + log }
        return text
    }
}
