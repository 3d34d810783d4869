import Foundation
import Testing
@testable import TextSegmentation
import TriageCore
import Yams

/// `Rules/segmentation.yaml`: the word lists load, and every example in the
/// file passes (the examples are the documentation and the tests at once).
@Suite struct SegmentationDataTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Rules/segmentation.yaml")

    @Test func theFileLoadsWithEveryList() throws {
        let v = try SegmenterVocabulary.load(from: Self.file)
        #expect(v.signOffs.contains("kind regards"))
        #expect(v.forwardMarkers.contains("forwarded message"))
        #expect(Set(v.headerFieldNames.keys) == Set(HeaderRole.allCases))
        #expect(v.examples.count >= 10)
    }

    @Test func everyExamplePasses() throws {
        let v = try SegmenterVocabulary.load(from: Self.file)
        let segmenter = TextSegmenter(vocabulary: v)
        for example in v.examples {
            let problems = example.problems(with: segmenter)
            #expect(problems.isEmpty, "\(example.name): \(problems.joined(separator: "; "))")
        }
    }

    /// An example that is wrong on purpose must fail: the check can fail.
    @Test func aWrongExampleIsCaught() throws {
        let yaml = """
            name: wrong on purpose
            text: |
              The officer was rude.

              Kind regards,
              Sam
            quoted: ["The officer was rude."]
            """
        let example = try YAMLDecoder().decode(SegmentationExample.self, from: yaml)
        #expect(!example.problems(with: TextSegmenter()).isEmpty)
    }

    @Test func aBrokenFileIsNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "sign_offs: [a]\n".write(to: dir.appendingPathComponent("segmentation.yaml"), atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try SegmenterVocabulary.install(rulesDirectory: dir) }
        do {
            _ = try SegmenterVocabulary.load(from: dir.appendingPathComponent("segmentation.yaml"))
        } catch {
            #expect("\(error)".contains("segmentation.yaml"))
        }
    }
}

