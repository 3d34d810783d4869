import Foundation
import Testing
import TriageCore
@testable import TextSegmentation

/// The fixtures in Tests/Fixtures/segmentation (see its README for the format).
enum SegmentationFixtures {
    static var directory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()      // TextSegmentationTests
            .deletingLastPathComponent()      // Tests
            .appendingPathComponent("Fixtures/segmentation")
    }

    static var names: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".txt") }.sorted()
    }

    /// The input text and its expected segments.
    static func load(_ name: String) throws -> (text: String, expected: [(SegmentKind, String)]) {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        let source = String(decoding: data, as: UTF8.self)
        var expected: [(SegmentKind, String)] = []
        var currentKind: SegmentKind? = nil
        var current = ""
        for line in source.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("§§ ") {
                if let k = currentKind { expected.append((k, current)) }
                let word = String(line.dropFirst(3))
                guard let k = SegmentKind(rawValue: word) else {
                    throw IngestError(item: name, problem: "unknown segment kind \(word)")
                }
                currentKind = k
                current = ""
            } else {
                current += line + "\n"
            }
        }
        if let k = currentKind { expected.append((k, current)) }
        return (expected.map(\.1).joined(), expected)
    }
}

@Suite("Fixtures")
struct FixtureTests {
    @Test func fixturesArePresent() {
        #expect(SegmentationFixtures.names.count >= 6)
    }

    @Test(arguments: SegmentationFixtures.names)
    func fixtureSegmentsAsExpected(_ name: String) throws {
        let (text, expected) = try SegmentationFixtures.load(name)
        #expect(!text.isEmpty)
        expectSegments(text, expected)
    }

    @Test(arguments: SegmentationFixtures.names)
    func fixtureWithEmojiPrefixShiftsOffsetsOnly(_ name: String) throws {
        // The same text after a multi-scalar first line: every segment keeps
        // its kind and text; offsets move by the prefix length.
        let (text, expected) = try SegmentationFixtures.load(name)
        let prefix = "👍🏽 e\u{301} 😡\n"
        let body = TextSegmenter().body(for: prefix + text)
        checkTiling(body)
        // The prefix is a line of new text: it joins a leading new-text
        // segment or becomes one of its own.
        var want = expected
        if want[0].0 == .newText { want[0].1 = prefix + want[0].1 } else { want.insert((.newText, prefix), at: 0) }
        #expect(body.segments.map { body.text(of: $0) } == want.map(\.1))
        #expect(body.segments.map(\.kind) == want.map(\.0))
        let shift = prefix.unicodeScalars.count
        let plain = TextSegmenter().segment(text)
        #expect(body.segments.suffix(plain.count).map(\.end) == plain.map { $0.end + shift })
    }
}
