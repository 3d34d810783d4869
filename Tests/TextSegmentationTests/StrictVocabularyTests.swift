import Foundation
import RuleFiles
import Testing
import TextSegmentation
import TriageTestSupport

/// `segmentation.yaml` is a rule file like the others: read strictly.
@Suite struct StrictVocabularyTests {
    @Test func aMisspeltKeyIsNamedWithItsLine() throws {
        let original = try String(contentsOf: TestPaths.rules.appendingPathComponent(SegmenterVocabulary.fileName), encoding: .utf8)
        var lines = original.components(separatedBy: "\n")
        let index = try #require(lines.firstIndex { $0.range(of: #"^[a-z_]+:"#, options: .regularExpression) != nil })
        let key = String(lines[index].prefix { $0 != ":" })
        lines[index] = key + "x" + lines[index].dropFirst(key.count)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("segmentation-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let error = try #require(throws: RuleFileError.self) { try SegmenterVocabulary.load(from: file) }
        #expect(error.problem.contains("line \(index + 1): unknown key '\(key)x'"), "\(error.problem)")
        #expect(error.problem.contains("did you mean '\(key)'?"), "\(error.problem)")
        // The file as it is loads.
        _ = try SegmenterVocabulary.load(from: TestPaths.rules.appendingPathComponent(SegmenterVocabulary.fileName))
    }
}
