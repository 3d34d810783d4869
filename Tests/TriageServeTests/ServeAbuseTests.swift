import Foundation
import Testing
import TriageServe
import TriageStore
#if canImport(Glibc)
import Glibc
#endif

/// Bad input against the real server: each is answered as designed, kept in
/// quarantine when it was a post, and the server goes on serving.
@Suite("triage serve: bad input and abuse", .serialized)
struct ServeAbuseTests {
    static func settings() -> ServeSettings {
        var s = ServeSettings()
        s.maxBodyBytes = 64 * 1024
        s.maxUploadBytes = 8 * 1024
        s.ratePerMinute = 100_000
        s.rateBurst = 100_000
        s.requestTimeout = 1
        return s
    }

    /// Posts and returns the answer; the server must still answer /healthz after it.
    static func post(_ server: RunningServer, form: String = "generic-fallback", type: String?, body: [UInt8],
                     headers: [String: String] = Requests.json) throws -> HTTPAnswer {
        let answer = try Requests.send(Requests.post("/forms/\(form)", contentType: type, body: body, headers: headers), port: server.port)
        #expect(try Requests.send(Requests.get("/healthz"), port: server.port).status == 200)
        return answer
    }

    static func error(_ a: HTTPAnswer) -> String { field("error", a) ?? "" }

    static func field(_ name: String, _ a: HTTPAnswer) -> String? {
        ((try? JSONSerialization.jsonObject(with: Data(a.body))) as? [String: String])?[name]
    }

    @Test("limits, broken bodies, wrong types and unknown forms: a clear 4xx, kept in quarantine")
    func refusedPostsAreKept() async throws {
        let server = try await RunningServer(settings: Self.settings())
        defer { Task { await server.stop() } }
        var expectedQuarantine = 0

        // A declared body over the limit is refused unread, and the connection closed.
        let c = try TestConnection(port: server.port)
        c.send(Array("POST /forms/generic-fallback HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000000\r\n\r\nmessage=".utf8))
        let big = try #require(c.readResponse())
        #expect(big.status == 413)
        #expect(Self.error(big).contains("at most 65536 bytes"))
        #expect(c.peerClosed())
        expectedQuarantine += 1

        // An undeclared (chunked) body that grows past the limit.
        let chunkedHead = "POST /forms/generic-fallback HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
        let chunk = String(repeating: "a", count: 16 * 1024)
        let chunked = chunkedHead + String(repeating: "4000\r\n\(chunk)\r\n", count: 6) + "0\r\n\r\n"
        let c2 = try TestConnection(port: server.port)
        c2.send(Array(chunked.utf8))
        #expect(c2.readResponse()?.status == 413)
        expectedQuarantine += 1

        // An uploaded file over the per-file limit.
        let upload = Requests.multipart(boundary: "up", fields: [("message", "see the attached video")],
                                        files: [("file", "video.mp4", "video/mp4", [UInt8](repeating: 0x41, count: 16 * 1024))])
        let tooBigFile = try Self.post(server, type: "multipart/form-data; boundary=up", body: upload)
        #expect(tooBigFile.status == 413)
        #expect(Self.error(tooBigFile).contains("uploaded file"))
        expectedQuarantine += 1

        // Broken multipart: no boundary.
        let noBoundary = try Self.post(server, type: "multipart/form-data", body: Array("--x\r\n\r\nhello\r\n--x--".utf8))
        #expect(noBoundary.status == 400)
        #expect(Self.error(noBoundary).contains("boundary"))
        expectedQuarantine += 1

        // Broken multipart: a part that never ends. The parser keeps what arrived, as it does
        // for a saved file, and says so in the item's defects: stored, for a caseworker to read.
        let unterminated = try Self.post(server, type: "multipart/form-data; boundary=zz",
                                         body: Array("--zz\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nno closing boundary".utf8))
        #expect(unterminated.status == 201, "\(unterminated.text)")
        let keptID = try #require(Self.field("id", unterminated))
        let keptPart = try #require(try server.store.item(id: keptID))
        #expect(keptPart.correspondence.defects.contains { $0.contains("without its closing boundary") })
        #expect(keptPart.correspondence.body.text == "no closing boundary")

        // A JSON bomb: 50,000 levels of nesting, under the body limit.
        let deep = Array(String(repeating: "[", count: 50_000).utf8) + Array(String(repeating: "]", count: 10_000).utf8)
        let bomb = try Self.post(server, type: "application/json", body: deep)
        #expect(bomb.status == 400)
        #expect(Self.error(bomb).contains("nesting"))
        expectedQuarantine += 1

        // A "wide" bomb: more fields than allowed.
        let wide = "{" + (0..<1000).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"message\":\"hello\"}"
        let many = try Self.post(server, type: "application/json", body: Array(wide.utf8))
        #expect(many.status == 413)
        #expect(Self.error(many).contains("fields"))
        expectedQuarantine += 1

        // Not a form type; no type at all; an unknown form.
        #expect(try Self.post(server, type: "text/plain", body: Array("message=hi".utf8)).status == 415)
        #expect(try Self.post(server, type: nil, body: Array("message=hi".utf8)).status == 415)
        let unknown = try Self.post(server, form: "no-such-form", type: "application/x-www-form-urlencoded", body: Array("message=hi".utf8))
        #expect(unknown.status == 404)
        #expect(Self.error(unknown).contains("generic-fallback"))
        expectedQuarantine += 3

        // A filled honeypot.
        let honey = try Self.post(server, type: "application/x-www-form-urlencoded",
                                  body: Requests.urlencoded([("message", "cheap pills"), ("website", "http://spam.example.net")]))
        #expect(honey.status == 400)
        #expect(Self.error(honey).contains("website"))
        expectedQuarantine += 1

        // A browser gets the same refusal as a page.
        let page = try Self.post(server, type: "text/plain", body: Array("x".utf8), headers: [:])
        #expect(page.status == 415)
        #expect(page.text.contains("<h1>Your form could not be accepted</h1>"))
        #expect(page.text.contains("kept for our staff"))
        expectedQuarantine += 1

        let kept = try server.store.quarantined()
        #expect(kept.count == expectedQuarantine)
        #expect(kept.contains { $0.problem.contains("honeypot") || $0.problem.contains("website") })
        #expect(kept.allSatisfy { $0.raw.starts(with: Array("POST /forms/".utf8)) })
        #expect(try server.store.counts().items == 1)
    }

    @Test("invalid UTF-8 is read as the parser reads files: stored, with the fallback named in the defects")
    func invalidUTF8() async throws {
        let server = try await RunningServer(settings: Self.settings())
        defer { Task { await server.stop() } }
        // Percent-encoded and raw invalid bytes in a urlencoded form: the parser falls back to Windows-1252.
        let urlencoded = Array("message=caf%E9+bad+%FF%FE+service&name=".utf8) + [0xC3, 0x28, 0xFF]
        let a = try Self.post(server, type: "application/x-www-form-urlencoded", body: urlencoded)
        #expect(a.status == 201)
        let id = try #require(Self.field("id", a))
        let item = try #require(try server.store.item(id: id))
        #expect(item.correspondence.body.text.contains("café bad"))
        // Invalid UTF-8 inside JSON: read as Windows-1252, and said so.
        let json = Array("{\"message\": \"bad ".utf8) + [0xFF, 0xFE] + Array("\"}".utf8)
        let b = try Self.post(server, type: "application/json", body: json)
        #expect(b.status == 201, "\(b.text)")
        let jsonID = try #require(Self.field("id", b))
        let jsonItem = try #require(try server.store.item(id: jsonID))
        #expect(jsonItem.correspondence.defects.contains { $0.contains("not valid UTF-8") })
        #expect(jsonItem.correspondence.body.text == "bad ÿþ")
        #expect(try server.store.quarantined().isEmpty)
    }

    @Test("slow clients are cut off; others are served meanwhile")
    func slowClients() async throws {
        let server = try await RunningServer(settings: Self.settings())
        defer { Task { await server.stop() } }
        let slowHead = try TestConnection(port: server.port)
        slowHead.send(Array("POST /forms/generic-fallback HTTP/1.1\r\nHost: x\r\nContent-Ty".utf8))
        let slowBody = try TestConnection(port: server.port)
        slowBody.send(Array("POST /forms/generic-fallback HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nmessage=".utf8))
        for _ in 0..<3 {
            usleep(300_000)
            slowBody.send(Array("a".utf8)) // a byte at a time keeps an idle timer alive, not this deadline
            #expect(try Requests.send(Requests.get("/healthz"), port: server.port).status == 200)
        }
        usleep(800_000)
        #expect(slowHead.peerClosed())
        #expect(slowBody.peerClosed())
        let metrics = try Requests.send(Requests.get("/metrics"), port: server.port).text
        #expect(metrics.contains("triage_serve_request_timeouts_total 2"))
        #expect(try server.store.counts().items == 0)
    }

    @Test("a flood from one address gets 429 with Retry-After; other addresses are served")
    func floodFromOneAddress() async throws {
        var settings = Self.settings()
        settings.ratePerMinute = 6
        settings.rateBurst = 5
        let server = try await RunningServer(settings: settings)
        defer { Task { await server.stop() } }
        var statuses: [Int] = []
        for i in 0..<30 {
            let body = Requests.urlencoded([("message", "flood \(i)")])
            var headers = Requests.json
            headers["X-Forwarded-For"] = "198.51.100.7"
            let a = try Requests.send(Requests.post("/forms/generic-fallback", contentType: "application/x-www-form-urlencoded", body: body, headers: headers), port: server.port)
            statuses.append(a.status)
            if a.status == 429 { #expect(Int(a.header("retry-after") ?? "") ?? 0 >= 1) }
        }
        #expect(statuses.filter { $0 == 201 }.count == 5)
        #expect(statuses.filter { $0 == 429 }.count == 25)
        var other = Requests.json
        other["X-Forwarded-For"] = "203.0.113.9"
        let a = try Requests.send(Requests.post("/forms/generic-fallback", contentType: "application/x-www-form-urlencoded",
                                                body: Requests.urlencoded([("message", "a different person")]), headers: other), port: server.port)
        #expect(a.status == 201)
        #expect(try server.store.counts().items == 6)
    }

    @Test("origins outside the allow-list are refused; listed ones and servers (no Origin) are not")
    func originAllowList() async throws {
        var settings = Self.settings()
        settings.allowedOrigins = ["https://www.example.org"]
        let server = try await RunningServer(settings: settings)
        defer { Task { await server.stop() } }
        let body = Requests.urlencoded([("message", "origin test")])
        var evil = Requests.json
        evil["Origin"] = "https://evil.example.net"
        #expect(try Self.post(server, type: "application/x-www-form-urlencoded", body: body, headers: evil).status == 403)
        var good = Requests.json
        good["Origin"] = "https://WWW.example.org:443"
        #expect(try Self.post(server, type: "application/x-www-form-urlencoded", body: body, headers: good).status == 201)
        #expect(try Self.post(server, type: "application/x-www-form-urlencoded", body: Requests.urlencoded([("message", "no origin")])).status == 201)
        #expect(try server.store.quarantined().count == 1)
    }

    @Test("a shared secret or an HMAC signature is required when configured")
    func sharedSecret() async throws {
        var settings = Self.settings()
        settings.sharedSecret = "correct horse battery staple"
        let server = try await RunningServer(settings: settings)
        defer { Task { await server.stop() } }
        let body = Requests.urlencoded([("message", "server to server")])
        let type = "application/x-www-form-urlencoded"
        #expect(try Self.post(server, type: type, body: body).status == 401)
        var wrong = Requests.json
        wrong["X-Triage-Secret"] = "incorrect horse battery staple"
        #expect(try Self.post(server, type: type, body: body, headers: wrong).status == 401)
        var right = Requests.json
        right["X-Triage-Secret"] = "correct horse battery staple"
        #expect(try Self.post(server, type: type, body: body, headers: right).status == 201)
        // HMAC-SHA256 of the body, computed by Python's hmac module (not by the code under test).
        let body2 = Requests.urlencoded([("message", "signed")])
        var signed = Requests.json
        signed["X-Triage-Signature"] = "sha256=" + TestHMAC.sha256Hex(key: "correct horse battery staple", message: body2)
        #expect(try Self.post(server, type: type, body: body2, headers: signed).status == 201)
        var badSig = Requests.json
        badSig["X-Triage-Signature"] = "sha256=" + String(repeating: "0", count: 64)
        #expect(try Self.post(server, type: type, body: Requests.urlencoded([("message", "forged")]), headers: badSig).status == 401)
    }
}

/// HMAC-SHA256 from Python's standard library, as a website's own code would compute it.
enum TestHMAC {
    static func sha256Hex(key: String, message: [UInt8]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import hmac,hashlib,sys; print(hmac.new(sys.argv[1].encode(), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())", key]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try? process.run()
        input.fileHandleForWriting.write(Data(message))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
