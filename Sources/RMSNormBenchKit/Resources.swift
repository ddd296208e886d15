import ArgumentParser
import FoundationEssentials
import RMSNorm

/// `rmsnorm-bench resources`: the compiler's resource report (registers, spills, shared memory)
/// for every kernel specialisation, for one architecture. Needs NVRTC only, no GPU.
struct Resources: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resources", abstract: "Print ptxas resource usage of every kernel specialisation (NVRTC only).")

    @Option(help: "Target architecture number, e.g. 90 for sm_90.")
    var arch: Int = 90

    @Option(help: "Also write each CUBIN into this folder (for cuobjdump / nvdisasm).")
    var dump: String?

    @Flag(help: "Also the variant modules (fused add, casting modes, fp8 output, backward).")
    var variants = false

    func run() throws {
        for spec in KernelSpecialization.all + (variants ? KernelSpecialization.variants : []) {
            var options = spec.compileOptions(arch: arch)
            options.extra.append("--ptxas-options=-v")
            let result = try NVRTC.compile(source: KernelSource.text, name: "rmsnorm.cu", options: options)
            print("== \(spec) sm_\(arch)")
            if let dump {
                let name = spec.description.replacing(" ", with: "-").replacing("=", with: "") + "-sm\(arch).cubin"
                try FileManager.default.createDirectory(atPath: dump, withIntermediateDirectories: true)
                try Data(result.cubin).write(to: URL(fileURLWithPath: dump + "/" + name))
            }
            var kernel = ""
            for line in result.log.split(separator: "\n") {
                if line.contains("Compiling entry function '") {
                    kernel = String(line.split(separator: "'").dropFirst().first ?? "")
                } else if line.contains("Used") || line.contains("spill") {
                    print("  \(pad(kernel, 24)) \(line.drop { $0 != ":" }.dropFirst().trimmingCharacters(in: " "))")
                }
            }
        }
    }
}
