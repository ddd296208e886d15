// Small replacements for parts of Foundation that would pull ICU and libstdc++ into the
// static binary: printf-style formatting, a subprocess with pipes, stderr output.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// printf-style formatting for numbers (`%d`, `%.2f`, `%.3g`, `%e`); strings go in by interpolation.
func format(_ spec: String, _ args: CVarArg...) -> String {
    withVaList(args) { list in
        var buffer = [CChar](repeating: 0, count: 512)
        let n = vsnprintf(&buffer, buffer.count, spec, list)
        if n >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(n) + 1)
            _ = withVaList(args) { vsnprintf(&buffer, buffer.count, spec, $0) }
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

func writeStderr(_ text: String) {
    var bytes = Array(text.utf8)
    _ = write(2, &bytes, bytes.count)
}

struct SubprocessError: Error, CustomStringConvertible {
    var description: String
}

/// Runs `executable arguments…`, feeds `input` on stdin, calls `onLine` for each stdout line as it
/// arrives, sends stderr to `stderrPath` (or discards it). Returns the exit status.
@discardableResult
func runSubprocess(
    _ executable: String, _ arguments: [String], input: [UInt8], stderrPath: String?, onLine: (String) -> Void
) throws -> Int32 {
    var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0]
    guard pipe(&inPipe) == 0, pipe(&outPipe) == 0 else { throw SubprocessError(description: "pipe() failed") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
    posix_spawn_file_actions_addopen(&actions, 2, stderrPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    for fd in inPipe + outPipe { posix_spawn_file_actions_addclose(&actions, fd) }
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let status = posix_spawnp(&pid, executable, &actions, nil, argv, environ)
    close(inPipe[0])
    close(outPipe[1])
    guard status == 0 else {
        close(inPipe[1])
        close(outPipe[0])
        throw SubprocessError(description: "could not start \(executable): \(String(cString: strerror(status)))")
    }
    var offset = 0
    while offset < input.count {
        let n = input[offset...].withUnsafeBytes { write(inPipe[1], $0.baseAddress, $0.count) }
        if n <= 0 { break }
        offset += n
    }
    close(inPipe[1])
    var pending: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(outPipe[0], &chunk, chunk.count)
        if n <= 0 { break }
        pending += chunk[0..<n]
        while let newline = pending.firstIndex(of: 0x0a) {
            onLine(String(decoding: pending[..<newline], as: UTF8.self))
            pending.removeSubrange(...newline)
        }
    }
    close(outPipe[0])
    var exitStatus: Int32 = 0
    waitpid(pid, &exitStatus, 0)
    return exitStatus
}
