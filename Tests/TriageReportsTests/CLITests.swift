import Foundation
import Testing
import TriageTestSupport
import TriageReports

/// `triage report` as a user meets it, on the built binary.
@Suite struct ReportCLITests {
    static func triage(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let bin = URL(fileURLWithPath: TestPaths.triage)
        guard FileManager.default.isExecutableFile(atPath: bin.path) else { throw ReportError("build the triage binary first (swift build)") }
        let p = Process()
        p.executableURL = bin
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(["TRIAGE_RULES": ReportStore.rulesURL.path]) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func caseloadOverridesEqualReviewStats() throws {
        let (_, db, _) = try ReportStore.make()
        let report = try Self.triage(["report", "caseload", "--db", db, "--from", "2026-10-05", "--to", "2026-10-18", "--format", "json"])
        #expect(report.status == 0, "\(report.err)")
        let caseload = try Self.object(report.out)
        #expect(caseload["items"] as? Int == 10)
        let stats = try Self.triage(["review", "stats", "--db", db, "--since", "2026-10-05", "--until", "2026-10-19", "--format", "json"])
        #expect(stats.status == 0, "\(stats.err)")
        let fromReport = try JSONSerialization.data(withJSONObject: try #require(caseload["overrides"]), options: [.sortedKeys])
        var statsObject = try Self.object(stats.out)
        #expect(statsObject.removeValue(forKey: "format_version") as? Int == 1)
        #expect(caseload["format_version"] as? Int == 1)
        let fromStats = try JSONSerialization.data(withJSONObject: statsObject, options: [.sortedKeys])
        #expect(fromReport == fromStats)
        #expect(stats.out.contains("\"overridden\":1"))
    }

    @Test func writesEachFormatToAFile() throws {
        let (_, db, _) = try ReportStore.make()
        let dir = URL(fileURLWithPath: db).deletingLastPathComponent()
        for format in ["html", "csv", "json"] {
            let file = dir.appendingPathComponent("transparency.\(format)").path
            let r = try Self.triage(["report", "transparency", "--db", db, "--year", "2025-26", "--format", format, "--output", file])
            #expect(r.status == 0, "\(r.err)")
            #expect(r.out.isEmpty && r.err.contains("report written to"))
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(text.contains("Chief Constable"))
        }
        let csv = try Self.triage(["report", "caseload", "--db", db, "--from", "2026-10-05", "--to", "2026-10-18", "--format", "csv"])
        #expect(csv.status == 0 && csv.out.hasPrefix("section,key,label,value\r\n"))
    }

    /// The caseload report is private: 0600 whatever the umask (the test runs
    /// the binary under umask 022); the published transparency report is not.
    @Test func theCaseloadReportFileIsPrivate() throws {
        let (_, db, _) = try ReportStore.make()
        let dir = URL(fileURLWithPath: db).deletingLastPathComponent()
        let old = umask(0o022)
        defer { umask(old) }
        let caseload = dir.appendingPathComponent("caseload.html").path
        let r = try Self.triage(["report", "caseload", "--db", db, "--from", "2026-10-05", "--to", "2026-10-18", "--output", caseload])
        #expect(r.status == 0, "\(r.err)")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: caseload)[.posixPermissions] as? NSNumber).intValue
        #expect(mode & 0o777 == 0o600)
        #expect(try String(contentsOfFile: caseload, encoding: .utf8).contains("<html"))
        let published = dir.appendingPathComponent("transparency.html").path
        _ = try Self.triage(["report", "transparency", "--db", db, "--year", "2025-26", "--output", published])
        let publishedMode = try #require(try FileManager.default.attributesOfItem(atPath: published)[.posixPermissions] as? NSNumber).intValue
        #expect(publishedMode & 0o044 != 0)
    }

    @Test func usageErrorsExitTwo() throws {
        let (_, db, ids) = try ReportStore.make()
        let badYear = try Self.triage(["report", "transparency", "--db", db, "--year", "2025-27"])
        #expect(badYear.status == 2 && badYear.err.contains("'2025-27' is not a financial year"))
        let badRange = try Self.triage(["report", "caseload", "--db", db, "--from", "2026-10-18", "--to", "2026-10-05"])
        #expect(badRange.status == 2 && badRange.err.contains("before --from"))
        let noStore = try Self.triage(["report", "caseload", "--db", db + ".missing", "--from", "2026-10-01", "--to", "2026-10-31"])
        #expect(noStore.status == 2 && noStore.err.contains("No store at"))
        #expect(!FileManager.default.fileExists(atPath: db + ".missing"))
        let badForce = try Self.triage(["report", "transparency", "--db", db, "--year", "2025-26", "--force", "atlantis"])
        #expect(badForce.status == 2 && badForce.err.contains("No force profile 'atlantis'"))
        let refused = try Self.triage(["report", "summary", ids[21]!, "--db", db, "--text", "Harriet complained about the PCC.", "--as", "A. Caseworker"])
        #expect(refused.status == 2 && refused.err.contains("the complainant's name"))
        #expect(!refused.err.contains("Harriet"))
        let both = try Self.triage(["report", "summary", ids[21]!, "--db", db])
        #expect(both.status == 2)
        let ok = try Self.triage(["report", "summary", String(ids[21]!.prefix(10)), "--db", db, "--text", "Complaint about the PCC's conduct at a meeting.", "--as", "A. Caseworker"])
        #expect(ok.status == 0, "\(ok.err)")
        let page = try Self.triage(["report", "transparency", "--db", db, "--year", "2025-26"])
        #expect(page.out.contains("Summary: Complaint about the PCC&#39;s conduct at a meeting."))
    }

    @Test func helpHasExamples() throws {
        let help = try Self.triage(["report", "--help"])
        #expect(help.status == 0)
        for word in ["transparency --year 2025-26", "caseload --from", "--format json", "summary", "Exit codes"] {
            #expect(help.out.contains(word), "help lacks \(word)")
        }
        let top = try Self.triage(["--help"])
        #expect(top.out.contains("report"))
    }
}
