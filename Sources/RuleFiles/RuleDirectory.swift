import ContentHashing
import Foundation
import TriageCore
import SnowballStemming
import Yams

/// Reads a `Rules/` directory into a ``RuleSet``.
///
/// Layout:
/// - `rules/**/*.yaml` — rules; a file holds one rule (a mapping with `id`) or
///   a list under `rules:`. A new file is picked up with no Swift change.
/// - `guards.yaml` — guards (`guards:` list).
/// - `decisions.yaml` — the decision table.
/// - `forces/*.yaml` — one force profile per file.
/// - `config.yaml` — `default_force`.
/// The rule-set version is the SHA-256 of every file's path and bytes.
public struct RuleDirectory: Sendable {
    /// The directory.
    public let url: URL

    public init(_ url: URL) {
        self.url = url
    }

    /// Finds `Rules/`: the `TRIAGE_RULES` environment variable, else `Rules` in the
    /// working directory or any of its parents, else next to the executable's package.
    public static func locate(explicit: String? = nil) -> RuleDirectory? {
        let fm = FileManager.default
        if let explicit { return RuleDirectory(URL(fileURLWithPath: explicit)) }
        if let env = ProcessInfo.processInfo.environment["TRIAGE_RULES"] { return RuleDirectory(URL(fileURLWithPath: env)) }
        var dir = URL(fileURLWithPath: fm.currentDirectoryPath)
        for _ in 0..<8 {
            let candidate = dir.appendingPathComponent("Rules")
            if fm.fileExists(atPath: candidate.appendingPathComponent("decisions.yaml").path) { return RuleDirectory(candidate) }
            dir.deleteLastPathComponent()
        }
        var exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        for _ in 0..<8 {
            exe.deleteLastPathComponent()
            let candidate = exe.appendingPathComponent("Rules")
            if fm.fileExists(atPath: candidate.appendingPathComponent("decisions.yaml").path) { return RuleDirectory(candidate) }
        }
        return nil
    }

    /// Loads and checks the rule set. A word of the decision contract (kind,
    /// subject, outcome, reason, flag) misspelt in `decisions.yaml`, a force
    /// profile or a subject rule is refused here, naming the file and the word.
    /// - Throws: ``RuleFileError`` naming the file and the problem.
    public func load() throws -> RuleSet {
        let files = try allFiles()
        var hashed: [UInt8] = []
        for file in files {
            let relative = String(file.path.dropFirst(url.path.count))
            hashed += Array(relative.utf8)
            hashed += Array(try Data(contentsOf: file))
        }
        let version = ContentHash.sha256Hex(hashed).prefix(16)

        let decisionsFile = url.appendingPathComponent("decisions.yaml")
        let table = try decode(DecisionTable.self, decisionsFile)
        try Self.refuse(table.contractWordProblems(), in: decisionsFile)
        var rules: [Rule] = []
        for file in files where file.path.hasPrefix(url.appendingPathComponent("rules").path + "/") && file.pathExtension == "yaml" {
            let fileRules = try decodeRules(file)
            try Self.refuse(fileRules.filter { $0.fact == table.subject.candidates && SubjectRole(rawValue: $0.value) == nil }
                .map { "rule \($0.id): \(UnknownContractWord(vocabulary: SubjectRole.vocabulary, word: $0.value, allowed: SubjectRole.words))" },
                in: file)
            rules += fileRules
        }
        let guards = try decode(GuardFile.self, url.appendingPathComponent("guards.yaml")).guards
        var profiles: [ForceProfile] = []
        for file in files where file.path.hasPrefix(url.appendingPathComponent("forces").path + "/") && file.pathExtension == "yaml" {
            let profile = try decode(ForceProfile.self, file)
            try Self.refuse(profile.contractWordProblems(), in: file)
            profiles.append(profile)
        }
        var lexicons: [Lexicon] = []
        for file in files where file.path.hasPrefix(url.appendingPathComponent("lexicons").path + "/") && file.pathExtension == "yaml" {
            lexicons += try decode(LexiconFile.self, file).lexicons
        }
        let normalizationFile = url.appendingPathComponent("normalisation.yaml")
        let normalization = FileManager.default.fileExists(atPath: normalizationFile.path)
            ? try decode(NormalizationTable.self, normalizationFile) : NormalizationTable()
        var secondReading: SecondReading?
        if let settings = table.secondReading {
            let file = url.appendingPathComponent(settings.file)
            if FileManager.default.fileExists(atPath: file.path) {
                do { secondReading = try SecondReading(fileText: try readText(file)) } catch let error as SecondReadingFileError {
                    throw RuleFileError(file: file.path, problem: error.description)
                }
            }
        }
        return RuleSet(rules: rules, guards: guards, table: table, profiles: profiles, lexicons: lexicons,
                       normalization: normalization, version: String(version), secondReading: secondReading)
    }

    /// Loads the rule set and compiles it with the Snowball English stemmer.
    /// - Throws: ``RuleFileError`` for an unreadable file, ``RuleSetError`` for bad patterns.
    public func compile() throws -> CompiledRuleSet {
        try CompiledRuleSet(load(), stemmer: Self.stemmer())
    }

    /// The stemmer rules are compiled with (one per process: it caches stems).
    public static func stemmer() throws -> any WordStemmer {
        if let shared = sharedStemmer { return shared }
        throw StemmerError()
    }

    private static let sharedStemmer: SnowballStemmer? = try? SnowballStemmer()

    /// The configured default force (`config.yaml`), else `cambridgeshire`.
    public func defaultForce() -> String {
        let file = url.appendingPathComponent("config.yaml")
        guard let config = try? decode(Config.self, file) else { return "cambridgeshire" }
        return config.defaultForce ?? "cambridgeshire"
    }

    /// Every regular file under the directory, sorted by path.
    public func allFiles() throws -> [URL] {
        guard let e = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw RuleFileError(file: url.path, problem: "cannot read the directory")
        }
        var files: [URL] = []
        for case let file as URL in e {
            if (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { files.append(file.standardizedFileURL) }
        }
        return files.sorted { $0.path < $1.path }
    }

    private func decodeRules(_ file: URL) throws -> [Rule] {
        let text = try readText(file)
        do {
            let node = try Yams.compose(yaml: text)
            if node?.mapping?["id"] != nil {
                return [try strict(Rule.self, text, file)]
            }
            return try strict(RuleFile.self, text, file).rules
        } catch let error as RuleFileError {
            throw error
        } catch {
            throw RuleFileError(file: file.path, problem: Self.describe(error))
        }
    }

    /// Throws the problems found in `file` as one ``RuleFileError``, if any.
    private static func refuse(_ problems: [String], in file: URL) throws {
        guard !problems.isEmpty else { return }
        throw RuleFileError(file: file.path, problem: problems.joined(separator: "; "))
    }

    private func decode<T: Decodable>(_ type: T.Type, _ file: URL) throws -> T {
        try strict(T.self, try readText(file), file)
    }

    private func strict<T: Decodable>(_ type: T.Type, _ text: String, _ file: URL) throws -> T {
        try Self.decodeStrictly(T.self, yaml: text, file: file.path)
    }

    /// Decodes a rule file strictly: a key the type does not read is an error
    /// naming the file, the line and the nearest valid key (``StrictYAML``).
    /// For every YAML file under `Rules/`, whichever module reads it.
    /// - Throws: ``RuleFileError`` naming the file and the problem.
    public static func decodeStrictly<T: Decodable>(_ type: T.Type, yaml text: String, file: String) throws -> T {
        let result: (value: T, unknown: [StrictYAML.UnknownKey])
        do {
            result = try StrictYAML.decode(T.self, from: text)
        } catch let error as StrictYAML.UnknownKeys {
            throw RuleFileError(file: file, problem: error.keys.map(\.message).joined(separator: "; "))
        } catch {
            throw RuleFileError(file: file, problem: describe(error))
        }
        guard result.unknown.isEmpty else {
            throw RuleFileError(file: file, problem: result.unknown.map(\.message).joined(separator: "; "))
        }
        return result.value
    }

    private func readText(_ file: URL) throws -> String {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw RuleFileError(file: file.path, problem: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RuleFileError(file: file.path, problem: "not UTF-8 text")
        }
        return text
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing key '\(key.stringValue)' at \(path(context.codingPath))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context), DecodingError.dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context.codingPath))"
        default:
            return String(describing: error)
        }
    }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.isEmpty ? "the top" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    private struct RuleFile: Decodable { var rules: [Rule] }
    private struct GuardFile: Decodable { var guards: [Guard] }
    private struct LexiconFile: Decodable { var lexicons: [Lexicon] }
    private struct Config: Decodable {
        var defaultForce: String?
        enum CodingKeys: String, CodingKey { case defaultForce = "default_force" }
    }
}

/// A rule file that cannot be used: the file and the problem.
public struct RuleFileError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var problem: String
    public var description: String { "\(file): \(problem)" }

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }
}
