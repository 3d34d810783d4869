import Foundation
import Testing
import TriageServe
import TriageStore

/// Invented posts for each configured form (example.com addresses).
enum Posts {
    /// The fields of one post to `form`, made unique by `tag`.
    static func fields(form: String, tag: String) -> [(String, String)] {
        switch form {
        case "cambridgeshire-opcc-contact":
            return [("form_id", "opcc-complaint"), ("full_name", "Robin Example \(tag)"), ("email", "robin.\(tag)@example.com"),
                    ("complaint_about", "A police officer or member of police staff"),
                    ("details", "PC 4471 was rude to me at the roadside on 3 November and refused to give his name. Case \(tag).")]
        case "northamptonshire-opcc-form":
            return [("formType", "complaint"), ("contact.name", "Sam Example \(tag)"), ("contact.email", "sam.\(tag)@example.com"),
                    ("message", "The officer who attended my burglary never came back and nobody answers my calls. Case \(tag).")]
        default:
            return [("name", "Alex Example \(tag)"), ("email", "alex.\(tag)@example.com"),
                    ("message", "I would like to know when the next public meeting of the Commissioner is. Ref \(tag).")]
        }
    }

    enum Encoding: String, CaseIterable { case urlencoded, multipart, json }

    /// Content-Type and body of a post in one encoding (multipart carries a file).
    static func body(form: String, tag: String, encoding: Encoding, boundary: String = "----triage-test-boundary") -> (String, [UInt8]) {
        let f = fields(form: form, tag: tag)
        switch encoding {
        case .urlencoded:
            return ("application/x-www-form-urlencoded", Requests.urlencoded(f))
        case .multipart:
            let photo = Array("\u{FF}\u{D8} invented image bytes \(tag)".utf8)
            return ("multipart/form-data; boundary=\(boundary)",
                    Requests.multipart(boundary: boundary, fields: f, files: [("evidence", "photo-\(tag).jpg", "image/jpeg", photo)]))
        case .json:
            let object = Dictionary(f, uniquingKeysWith: { a, _ in a })
            return ("application/json", Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])))
        }
    }

    static let forms = ["cambridgeshire-opcc-contact", "northamptonshire-opcc-form", "generic-fallback"]
}

@Suite("triage serve: each form and encoding into a real store", .serialized)
struct ServeEndToEndTests {
    @Test("every form in every encoding is stored, classified and listed by `triage review list`")
    func everyFormAndEncoding() async throws {
        let server = try await RunningServer()
        var ids: [String: String] = [:]
        for form in Posts.forms {
            for encoding in Posts.Encoding.allCases {
                let tag = "\(form.prefix(5))-\(encoding.rawValue)"
                let (type, body) = Posts.body(form: form, tag: tag, encoding: encoding)
                let answer = try Requests.send(Requests.post("/forms/\(form)", contentType: type, body: body, headers: Requests.json), port: server.port)
                #expect(answer.status == 201, "\(form) \(encoding): \(answer.status) \(answer.text)")
                let json = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: String] ?? [:]
                let id = try #require(json["id"])
                #expect(id.count == 64)
                #expect(json["reference"] == String(id.prefix(12)))
                ids["\(form) \(encoding)"] = id
                // Stored with the parser's reading of the post, through the form's own mapping.
                let item = try #require(try server.store.item(id: id))
                #expect(item.correspondence.provenance.format == "form_\(encoding.rawValue)")
                #expect(item.correspondence.headers.contains { $0.name == ":form-mapping" && $0.value == form })
                #expect(item.correspondence.sender?.address?.hasSuffix("@example.com") == true)
                #expect(item.correspondence.body.text.contains(tag))
                if encoding == .multipart {
                    #expect(item.correspondence.attachments.first?.filename == "photo-\(tag).jpg")
                }
                #expect(try server.store.effectiveDecision(for: id) != nil)
            }
        }
        #expect(Set(ids.values).count == 9)
        await server.stop()

        // The caseworker's queue, from the command line, shows every item.
        let (status, output) = try runTriage(["review", "list", "--db", server.dbPath, "--all", "--format", "json"])
        #expect(status == 0)
        for (what, id) in ids {
            #expect(output.contains(String(id.prefix(12))), "review list lacks \(what)")
        }
    }

    @Test("a browser is sent to a thank-you page with the reference and what happens next")
    func browserGetsThankYouPage() async throws {
        let server = try await RunningServer()
        defer { Task { await server.stop() } }
        let (type, body) = Posts.body(form: "cambridgeshire-opcc-contact", tag: "browser", encoding: .urlencoded)
        let answer = try Requests.send(Requests.post("/forms/cambridgeshire-opcc-contact", contentType: type, body: body,
                                                     headers: ["Accept": "text/html,application/xhtml+xml"]), port: server.port)
        #expect(answer.status == 303)
        let location = try #require(answer.header("location"))
        #expect(location.hasPrefix("/thanks/"))
        let reference = String(location.dropFirst("/thanks/".count))
        #expect(try server.store.resolveItemID(reference) != nil)
        let page = try Requests.send(Requests.get(location), port: server.port)
        #expect(page.status == 200)
        #expect(page.header("content-type")?.hasPrefix("text/html") == true)
        #expect(page.text.contains(reference))
        #expect(page.text.contains("Cambridgeshire and Peterborough Police and Crime Commissioner"))
        #expect(page.text.contains("within 28 days"))
        #expect(!page.text.contains("Robin Example"), "the page must carry no personal data")
        // An unknown reference is not a page.
        #expect(try Requests.send(Requests.get("/thanks/abcdefabcdef"), port: server.port).status == 404)
    }

    @Test("a retried post is stored once: same bytes, or same Idempotency-Key with new bytes")
    func retriesAreStoredOnce() async throws {
        let server = try await RunningServer()
        defer { Task { await server.stop() } }
        let (type, body) = Posts.body(form: "generic-fallback", tag: "retry", encoding: .urlencoded)
        let request = Requests.post("/forms/generic-fallback", contentType: type, body: body, headers: Requests.json)
        let first = try Requests.send(request, port: server.port)
        try await Task.sleep(for: .milliseconds(1100)) // a later Date: different stored bytes, same post
        let second = try Requests.send(request, port: server.port)
        #expect(first.status == 201)
        #expect(second.status == 200)
        #expect(first.text == second.text)

        // A browser re-sends a multipart post with a new boundary, and the same key.
        var keyed = Requests.json
        keyed["Idempotency-Key"] = "9f1c2e4a-retry-key"
        let (t1, b1) = Posts.body(form: "cambridgeshire-opcc-contact", tag: "keyed", encoding: .multipart, boundary: "b-one")
        let (t2, b2) = Posts.body(form: "cambridgeshire-opcc-contact", tag: "keyed", encoding: .multipart, boundary: "b-two")
        let k1 = try Requests.send(Requests.post("/forms/cambridgeshire-opcc-contact", contentType: t1, body: b1, headers: keyed), port: server.port)
        let k2 = try Requests.send(Requests.post("/forms/cambridgeshire-opcc-contact", contentType: t2, body: b2, headers: keyed), port: server.port)
        #expect(k1.status == 201)
        #expect(k2.status == 200)
        #expect(k1.text == k2.text)
        #expect(try server.store.counts().items == 2)
    }

    @Test("healthz and Prometheus metrics")
    func healthAndMetrics() async throws {
        let server = try await RunningServer()
        defer { Task { await server.stop() } }
        let health = try Requests.send(Requests.get("/healthz"), port: server.port)
        #expect(health.status == 200)
        #expect(health.text == "ok\n")
        let (type, body) = Posts.body(form: "generic-fallback", tag: "metrics", encoding: .json)
        _ = try Requests.send(Requests.post("/forms/generic-fallback", contentType: type, body: body, headers: Requests.json), port: server.port)
        _ = try Requests.send(Requests.post("/forms/generic-fallback", contentType: "text/plain", body: Array("hello".utf8)), port: server.port)
        let metrics = try Requests.send(Requests.get("/metrics"), port: server.port)
        #expect(metrics.status == 200)
        #expect(metrics.text.contains("triage_serve_items_stored_total 1"))
        #expect(metrics.text.contains(#"triage_serve_quarantined_total{status="415"} 1"#))
        #expect(metrics.text.contains(#"triage_serve_requests_total{route="form",status="201"} 1"#))
        #expect(metrics.text.contains("triage_serve_request_duration_seconds_bucket"))
    }
}

/// SIGTERM while a post is half sent: it still finishes and is stored.
@Suite("triage serve: graceful shutdown", .serialized)
struct ServeShutdownTests {
    @Test("SIGTERM: the post in flight is stored and answered, then the server exits 0")
    func sigtermFinishesInFlightPost() throws {
        let dir = try ServeTestEnv.tempDir()
        let server = try ServeProcess(db: dir.appendingPathComponent("triage.sqlite").path, dir: dir)
        defer { server.kill() }
        let (type, body) = Posts.body(form: "cambridgeshire-opcc-contact", tag: "sigterm", encoding: .urlencoded)
        let request = Requests.post("/forms/cambridgeshire-opcc-contact", contentType: type, body: body, headers: Requests.json)
        let c = try TestConnection(port: server.port)
        let half = request.count - 40
        c.send(Array(request[..<half]))
        usleep(200_000)
        server.signal(SIGTERM)
        usleep(300_000)
        c.send(Array(request[half...]))
        let answer = try #require(c.readResponse())
        #expect(answer.status == 201)
        #expect(server.waitForExit(seconds: 20) == 0)
        let json = try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: String] ?? [:]
        let store = try Store(path: dir.appendingPathComponent("triage.sqlite").path)
        let id = try #require(json["id"])
        #expect(try store.item(id: id) != nil)
        // The log says what happened, by reference, and nothing of what was written or by whom.
        #expect(server.log.contains("result=stored"))
        #expect(server.log.contains(String(id.prefix(12))))
        for personal in ["Robin", "example.com", "roadside", "127.0.0.1:\(c.localPort)"] {
            #expect(!server.log.contains(personal), "the log carries \(personal)")
        }
    }
}

/// `triage serve` as a command: help with examples, and bad settings refused with exit 2.
@Suite("triage serve: the command line", .serialized)
struct ServeCommandLineTests {
    @Test("--help has examples; bad settings and an address in use exit 2 with the reason")
    func commandLine() async throws {
        let help = try runTriage(["serve", "--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("Examples:"))
        #expect(help.output.contains("--allow-origin"))
        let dir = try ServeTestEnv.tempDir()
        let db = dir.appendingPathComponent("t.sqlite").path
        #expect([2, 64].contains(try runTriage(["serve", "--db", db, "--rate", "0"]).status), "usage errors exit as the other commands' do")
        #expect([2, 64].contains(try runTriage(["serve", "--db", db, "--listen", "nowhere"]).status), "usage errors exit as the other commands' do")
        #expect([2, 64].contains(try runTriage(["serve", "--db", db, "--allow-origin", "www.example.org"]).status), "usage errors exit as the other commands' do")
        #expect([2, 64].contains(try runTriage(["serve", "--db", db, "--secret-env", "TRIAGE_TEST_NO_SUCH_VARIABLE"]).status), "usage errors exit as the other commands' do")
        let running = try await RunningServer()
        #expect(try runTriage(["serve", "--db", db, "--listen", "127.0.0.1:\(running.port)"]).status == 2)
        await running.stop()
    }
}
