import Foundation
import RuleFiles
import TriageCore

/// How one web form's fields map to the roles the classifier knows
/// (`name`, `email`, `free_text`, …), and how to recognise a post from that
/// form. Loaded from `Rules/forms/*.yaml`.
public struct FormMapping: Sendable, Equatable {
    /// The roles a field can have; these words are the contract.
    public static let roles: [String] = [
        "name", "email", "phone", "address", "postcode", "free_text", "about",
        "incident_date", "anonymous", "submitted_at", "subject", "reference", "form_kind",
    ]

    /// Stable identifier (`cambridgeshire-opcc-contact`).
    public var id: String
    /// Plain-English description of the form.
    public var description: String
    /// The form's title, used as the subject when no field gives one.
    public var title: String?
    /// Higher wins when several mappings recognise a post.
    public var priority: Int
    /// A fallback mapping is used when no other mapping recognises a post.
    public var fallback: Bool
    /// Regular expressions; a request whose path matches any recognises the form.
    public var paths: [String]
    /// Field names that must all be present to recognise the form by its fields.
    public var fieldsPresent: [String]
    /// Field name → value that must all hold to recognise the form by its fields.
    public var fieldValues: [String: String]
    /// Role → candidate field names, in order of preference.
    public var roleFields: [String: [String]]
    /// The file the mapping was read from, if any.
    public var file: String?
    /// `paths`, compiled once.
    private var compiled: CompiledPatterns

    /// Creates a mapping in code (tests, defaults).
    public init(
        id: String, description: String, title: String? = nil, priority: Int = 0, fallback: Bool = false,
        paths: [String] = [], fieldsPresent: [String] = [], fieldValues: [String: String] = [:],
        roleFields: [String: [String]], file: String? = nil
    ) {
        self.id = id
        self.description = description
        self.title = title
        self.priority = priority
        self.fallback = fallback
        self.paths = paths
        self.fieldsPresent = fieldsPresent
        self.fieldValues = fieldValues
        self.roleFields = roleFields
        self.file = file
        self.compiled = CompiledPatterns(paths)
    }

    /// The YAML shape of a mapping file.
    private struct FileShape: Decodable {
        struct Recognise: Decodable {
            var path: StringOrList?
            var fields: [String]?
            var values: [String: String]?
        }
        var id: String?
        var description: String?
        var title: String?
        var priority: Int?
        var fallback: Bool?
        var recognise: Recognise?
        var roles: [String: StringOrList]?
    }

    /// A YAML scalar or list of scalars.
    private struct StringOrList: Decodable {
        var items: [String]
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let one = try? c.decode(String.self) { items = [one] } else { items = try c.decode([String].self) }
        }
    }

    /// Reads one mapping from YAML text.
    /// - Parameters:
    ///   - yaml: the file's text.
    ///   - file: the file name, used in errors.
    /// - Throws: ``FormMappingError`` naming the file and the problem.
    public static func load(yaml: String, file: String) throws -> FormMapping {
        let shape: FileShape
        do {
            // Yams is not documented as thread-safe: decode one file at a time.
            yamlLock.lock()
            defer { yamlLock.unlock() }
            // Read strictly, as every file under Rules/ is: a key no mapping has is an
            // error naming the line and the nearest valid key.
            shape = try RuleDirectory.decodeStrictly(FileShape.self, yaml: yaml, file: file)
        } catch let error as RuleFileError {
            throw FormMappingError(file: file, problem: error.problem)
        } catch {
            throw FormMappingError(file: file, problem: "not a valid mapping: \(error)")
        }
        guard let id = shape.id?.trimmingCharacters(in: .whitespaces), !id.isEmpty else {
            throw FormMappingError(file: file, problem: "missing `id`")
        }
        guard let description = shape.description, !description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw FormMappingError(file: file, problem: "mapping \(id): missing `description`")
        }
        guard let roles = shape.roles, !roles.isEmpty else {
            throw FormMappingError(file: file, problem: "mapping \(id): missing `roles`")
        }
        for role in roles.keys.sorted() where !Self.roles.contains(role) {
            throw FormMappingError(file: file, problem: "mapping \(id): unknown role `\(role)` (known: \(Self.roles.joined(separator: ", ")))")
        }
        let paths = shape.recognise?.path?.items ?? []
        for p in paths {
            do { _ = try NSRegularExpression(pattern: p) } catch {
                throw FormMappingError(file: file, problem: "mapping \(id): invalid path pattern `\(p)`")
            }
        }
        let fallback = shape.fallback ?? false
        let fields = shape.recognise?.fields ?? []
        let values = shape.recognise?.values ?? [:]
        if !fallback, paths.isEmpty, fields.isEmpty, values.isEmpty {
            throw FormMappingError(file: file, problem: "mapping \(id): `recognise` needs a path, fields or values (or set `fallback: true`)")
        }
        return FormMapping(
            id: id, description: description.trimmingCharacters(in: .whitespacesAndNewlines), title: shape.title,
            priority: shape.priority ?? 0, fallback: fallback, paths: paths, fieldsPresent: fields, fieldValues: values,
            roleFields: roles.mapValues(\.items), file: file
        )
    }

    /// Loads every `*.yaml` / `*.yml` file in a directory, sorted by name.
    /// - Parameter directory: the folder (e.g. `Rules/forms`).
    /// - Returns: the mappings, in file-name order.
    /// - Throws: ``FormMappingError`` naming the file that is wrong, or the
    ///   folder if it cannot be read; duplicate ids are an error.
    public static func loadAll(from directory: URL) throws -> [FormMapping] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw FormMappingError(file: directory.path, problem: "cannot read the folder: \(error.localizedDescription)")
        }
        var mappings: [FormMapping] = []
        var seen: [String: String] = [:]
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let url = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw FormMappingError(file: url.path, problem: "cannot read the file")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw FormMappingError(file: url.path, problem: "not UTF-8 text")
            }
            let mapping = try load(yaml: text, file: url.path)
            if let other = seen[mapping.id] {
                throw FormMappingError(file: url.path, problem: "duplicate mapping id `\(mapping.id)` (also in \(other))")
            }
            seen[mapping.id] = url.path
            mappings.append(mapping)
        }
        return mappings
    }

    /// How strongly this mapping recognises a post: 0 = not at all,
    /// 1 = by path or by fields, 2 = both.
    func recognitionScore(path: String?, fields: [FormField]) -> Int {
        var score = 0
        if let path, !paths.isEmpty {
            let range = NSRange(path.startIndex..., in: path)
            let regexes = compiled.patterns == paths ? compiled.regexes : CompiledPatterns(paths).regexes
            if regexes.contains(where: { $0.firstMatch(in: path, range: range) != nil }) {
                score += 1
            }
        }
        if !fieldsPresent.isEmpty || !fieldValues.isEmpty {
            let byName = Dictionary(fields.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
            let present = fieldsPresent.allSatisfy { byName[$0.lowercased()] != nil }
            let valued = fieldValues.allSatisfy { byName[$0.key.lowercased()]?.trimmingCharacters(in: .whitespaces).lowercased() == $0.value.lowercased() }
            if present && valued { score += 1 }
        }
        return score
    }
}

/// Compiled path patterns. NSRegularExpression is immutable and safe to
/// share between threads once built.
private struct CompiledPatterns: @unchecked Sendable, Equatable {
    let patterns: [String]
    let regexes: [NSRegularExpression]

    init(_ patterns: [String]) {
        self.patterns = patterns
        self.regexes = patterns.compactMap { try? NSRegularExpression(pattern: $0) }
    }

    static func == (a: CompiledPatterns, b: CompiledPatterns) -> Bool { a.patterns == b.patterns }
}

/// Serialises use of Yams.
private let yamlLock = NSLock()

/// A mapping file that cannot be used.
public struct FormMappingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file (or folder) at fault.
    public var file: String
    /// What is wrong.
    public var problem: String

    /// Creates an error naming the file and the problem.
    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
