import Foundation
@testable import MailParsing
import TriageCore

/// Paths used by the tests.
enum TestPaths {
    /// The repository root (three levels above this file).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shared folder: `TRIAGE_SHARED`, else `<repo>/../shared`.
    static var shared: URL {
        if let env = ProcessInfo.processInfo.environment["TRIAGE_SHARED"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    static var fixtures: URL { repoRoot.appendingPathComponent("Tests/Fixtures") }

    /// Every file under `dir` with one of the extensions, sorted by path.
    static func files(under dir: URL, extensions: Set<String>) -> [URL] {
        guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
        var out: [URL] = []
        for case let url as URL in e where extensions.contains(url.pathExtension) { out.append(url) }
        return out.sorted { $0.path < $1.path }
    }

    /// A path to `python3` on PATH, or nil.
    static let python3: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}

/// Builds a RawItem from text (CRLF if asked).
func rawItem(_ text: String, crlf: Bool = false, source: String = "test.eml") -> RawItem {
    let t = crlf ? text.replacingOccurrences(of: "\n", with: "\r\n") : text
    return RawItem(bytes: Array(t.utf8), source: source)
}
