import Foundation
import Testing
import TriageCore
import TriageStore
@testable import TriageReview

/// The scriptable forms, run as the real `triage` binary against a real store.
@Suite(.serialized) struct CLITests {
    @Test func listAcceptOverrideLetterStats() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (store, db, ids) = try TestEnv.makeStore(in: dir, files: [TestEnv.routedFile, TestEnv.caseworkerFile])
        let routedID = try #require(ids[TestEnv.routedFile])
        let cctvID = try #require(ids[TestEnv.caseworkerFile])

        let (status, out, err) = try TestEnv.run(["review", "list", "--db", db, "--format", "json"])
        #expect(status == 0, "\(err)")
        let rows = out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(rows.count == 2)
        #expect(rows.first?["id"] as? String == cctvID)   // needs_caseworker first
        #expect(rows.first?["outcome"] as? String == "needs_caseworker")

        let (tStatus, text, _) = try TestEnv.run(["review", "list", "--db", db])
        #expect(tStatus == 0)
        #expect(text.contains(String(cctvID.prefix(12))))
        #expect(text.contains("2 items"))

        let (aStatus, aOut, aErr) = try TestEnv.run(["review", "accept", String(routedID.prefix(12)), "--note", "fine", "--db", db, "--as", "Robin Script"])
        #expect(aStatus == 0, "\(aErr)")
        #expect(aOut.contains("accepted \(routedID.prefix(12))"))

        // Codes not in the profile's lists: a clear error, exit 2, nothing written.
        let auditBefore = try store.auditEntries().count
        let (bad, _, badErr) = try TestEnv.run(["review", "override", cctvID, "--outcome", "routed", "--handler", "panel",
                                                "--reason", "x", "--db", db, "--as", "Robin Script"])
        #expect(bad == 2)
        #expect(badErr.contains("unknown handler 'panel' for cambridgeshire: choose one of"))
        #expect(badErr.contains("police_and_crime_panel"))
        let (noReason, _, noReasonErr) = try TestEnv.run(["review", "override", cctvID, "--outcome", "routed", "--handler", "crt",
                                                          "--reason", " ", "--db", db])
        #expect(noReason != 0)
        #expect(noReasonErr.contains("--reason must say why"))
        #expect(try store.auditEntries().count == auditBefore)

        let (noWhy, _, noWhyErr) = try TestEnv.run(["review", "override", cctvID, "--outcome", "not_recorded", "--handler", "opcc_enquiries",
                                                     "--reason", "council CCTV", "--db", db])
        #expect(noWhy == 2)
        #expect(noWhyErr.contains("needs why: pass --because REASON"))
        let (oStatus, oOut, oErr) = try TestEnv.run(["review", "override", cctvID, "--outcome", "not_recorded", "--handler", "opcc_enquiries",
                                                     "--because", "not_a_complaint", "--reason", "council CCTV, not police", "--db", db, "--as", "Robin Script"])
        #expect(oStatus == 0, "\(oErr)")
        #expect(oOut.contains("now not_recorded → opcc_enquiries because not_a_complaint"))
        let eff = try #require(try store.effectiveDecision(for: cctvID))
        #expect(eff.decision.madeBy == "caseworker:Robin Script")
        #expect(eff.decision.decision.outcome == .notRecorded)
        let actions = try store.auditEntries().filter { $0.action.hasPrefix("decision.") && $0.actor.hasPrefix("caseworker:") }
        #expect(actions.map(\.action) == ["decision.accept", "decision.override"])
        #expect(actions.allSatisfy { $0.actor == "caseworker:Robin Script" })

        let (_, empty, _) = try TestEnv.run(["review", "list", "--db", db])
        #expect(empty.contains("Nothing to review."))

        let (lStatus, letter, _) = try TestEnv.run(["review", "letter", String(routedID.prefix(8)), "--db", db])
        #expect(lStatus == 0)
        #expect(letter.contains("crtcams@cambs.police.uk"))

        let (sStatus, stats, _) = try TestEnv.run(["review", "stats", "--db", db, "--since", "2000-01-01"])
        #expect(sStatus == 0)
        #expect(stats.contains("2 (1 accepted, 1 overridden; override rate 50%)"))
        let (_, statsJSON, _) = try TestEnv.run(["review", "stats", "--db", db, "--format", "json"])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(statsJSON.utf8)) as? [String: Any])
        let total = try #require(obj["total"] as? [String: Any])
        #expect(total["overridden"] as? Int == 1)
    }

    @Test func missingStoreAndUnknownItemAreClearErrors() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (s1, _, e1) = try TestEnv.run(["review", "list", "--db", dir.appendingPathComponent("none.sqlite").path])
        #expect(s1 != 0)
        #expect(e1.contains("No store at"))
        let (_, db, _) = try TestEnv.makeStore(in: dir, files: [TestEnv.routedFile])
        let (s2, _, e2) = try TestEnv.run(["review", "accept", "abcdef123456", "--db", db])
        #expect(s2 == 2)
        #expect(e2.contains("no item abcdef123456"))
        let (s3, _, e3) = try TestEnv.run(["review", "list", "--db", db, "--outcome", "maybe"])
        #expect(s3 != 0)
        #expect(e3.contains("The value 'maybe' is invalid for '--outcome <outcome>'"), "\(e3)")
        #expect(e3.contains("'needs_caseworker'") && e3.contains("'not_recorded'"), "the error lists the words allowed: \(e3)")
    }

    @Test func interactiveFormRefusesWithoutATerminal() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, db, _) = try TestEnv.makeStore(in: dir, files: [TestEnv.routedFile])
        let (status, _, err) = try TestEnv.run(["review", "--db", db])
        #expect(status == 2)
        #expect(err.contains("needs a terminal"))
    }

    @Test func helpNamesTheKeysAndForms() throws {
        let (_, out, _) = try TestEnv.run(["review", "--help"])
        for word in ["list", "accept", "override", "letter", "stats", "--db", "--as"] {
            #expect(out.contains(word), "help lacks \(word)")
        }
    }

    @Test func overrideHelpListsTheContractWords() throws {
        let (status, out, _) = try TestEnv.run(["review", "override", "--help"])
        #expect(status == 0)
        // Help wraps long lines: compare with the whitespace squeezed.
        let flat = out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(flat.contains("values: routed, recorded, not_recorded, needs_caseworker"), "\(out)")
        #expect(flat.contains("values: not_a_complaint, anonymous, repetitious, vexatious, solely_review_outcome, difference_of_opinion, no_standing"), "\(out)")
        for word in ItemKind.allCases.map(\.rawValue) + SubjectRole.allCases.map(\.rawValue) {
            #expect(flat.contains(word), "help lacks \(word)")
        }
        let (bad, _, err) = try TestEnv.run(["review", "override", "abcdef123456", "--outcome", "routed", "--handler", "crt",
                                             "--kind", "complaint", "--subject", "the_council", "--reason", "x"])
        #expect(bad == 2, "a word outside the contract is a usage error (exit 2, as the README says)")
        #expect(err.contains("'the_council'") && err.contains("not_police"), "\(err)")
    }
}
