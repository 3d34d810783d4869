import Foundation
import FormParsing
import TriageCore

/// Paths and helpers shared by the form tests.
enum Paths {
    /// The repository root (three levels above this file).
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repo.appendingPathComponent("Tests/Fixtures/forms")
    static let mappings = repo.appendingPathComponent("Rules/forms")

    static func item(_ name: String, hint: String? = nil) throws -> RawItem {
        let url = fixtures.appendingPathComponent(name)
        let data = try Data(contentsOf: url)
        return RawItem(bytes: [UInt8](data), source: "Tests/Fixtures/forms/\(name)", formatHint: hint)
    }

    static func parser() throws -> FormPostParser { try shared.get() }

    private static let shared: Result<FormPostParser, Error> = Result { FormPostParser(mappings: try FormMapping.loadAll(from: mappings)) }
}

extension Correspondence {
    func field(_ name: String) -> FormField? { formFields.first { $0.name == name } }
    func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
}

func raw(_ s: String, source: String = "inline.http", hint: String? = nil) -> RawItem {
    RawItem(bytes: Array(s.utf8), source: source, formatHint: hint)
}

func iso(_ s: String) -> Date? {
    let f = ISO8601DateFormatter()
    return f.date(from: s)
}
