import Foundation
import Testing
import TriageStore
#if canImport(Glibc)
import Glibc
#endif

/// SIGKILL of `triage serve` in the middle of a bounded load: every post that
/// got a 2xx is in the store exactly once, and retries after a restart add nothing.
@Suite("triage serve: SIGKILL under load", .serialized)
struct ServeCrashTests {
    /// What the load clients saw, shared between their threads.
    final class Ledger: @unchecked Sendable {
        private let lock = NSLock()
        var acked: [String: String] = [:]   // tag → item id
        var unanswered: [String] = []       // tags sent when the server died
        var sent = 0
        var otherStatuses: [Int] = []

        func with<T>(_ body: (Ledger) -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body(self)
        }
    }

    static func request(tag: String) -> [UInt8] {
        let body = Array("{\"message\": \"The officer at the front desk was rude and dismissive about my report. Load post \(tag).\", \"name\": \"Load Tester\", \"email\": \"load.\(tag)@example.com\"}".utf8)
        return Requests.post("/forms/generic-fallback", contentType: "application/json", body: body, headers: ["Accept": "application/json", "Connection": "keep-alive"])
    }

    @Test("kill -9 during a load of up to 3,000 posts: every 2xx is stored exactly once")
    func sigkillUnderLoad() throws {
        let dir = try ServeTestEnv.tempDir()
        let db = dir.appendingPathComponent("triage.sqlite").path
        let unlimited = ["--rate", "1000000", "--burst", "1000000"] // one test client: the load is from one address
        let server = try ServeProcess(db: db, dir: dir, extra: unlimited)
        defer { server.kill() }
        let ledger = Ledger()
        let clients = 4, perClient = 750, killAfter = 1200
        let started = Date()
        let done = DispatchGroup()
        for client in 0..<clients {
            done.enter()
            Thread {
                defer { done.leave() }
                guard let connection = try? TestConnection(port: server.port, receiveTimeout: 15) else { return }
                for n in 0..<perClient {
                    let tag = "c\(client)-n\(n)"
                    ledger.with { $0.sent += 1 }
                    guard connection.send(Self.request(tag: tag)), let answer = connection.readResponse() else {
                        ledger.with { $0.unanswered.append(tag) }
                        return
                    }
                    let id = ((try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: String])?["id"]
                    let count: Int = ledger.with { l in
                        if (200..<300).contains(answer.status), let id { l.acked[tag] = id } else { l.otherStatuses.append(answer.status) }
                        return l.acked.count
                    }
                    if count == killAfter || Date().timeIntervalSince(started) > 120 {
                        server.signal(SIGKILL)
                    }
                }
            }.start()
        }
        done.wait()
        #expect(server.waitForExit(seconds: 10) != nil)
        #expect(ledger.acked.count >= min(killAfter, 100), "only \(ledger.acked.count) posts were acknowledged")
        #expect(ledger.otherStatuses.isEmpty, "unexpected statuses: \(Set(ledger.otherStatuses))")

        // Every acknowledged post is stored, once.
        let store = try Store(path: db)
        #expect(try store.integrityCheck() == ["ok"])
        var itemsPerTag: [String: Int] = [:]
        var after: Int64 = 0
        while true {
            let batch = try store.items(after: after, limit: 500)
            guard let last = batch.last else { break }
            for item in batch {
                let text = item.correspondence.body.text
                if let r = text.range(of: #"Load post c\d+-n\d+"#, options: .regularExpression) {
                    itemsPerTag[String(text[r].dropFirst("Load post ".count)), default: 0] += 1
                }
            }
            after = last.seq
        }
        for (tag, id) in ledger.acked {
            #expect(itemsPerTag[tag] == 1, "\(tag): \(itemsPerTag[tag] ?? 0) items")
            #expect(try store.item(id: id) != nil, "\(tag): acknowledged id \(id.prefix(12)) is not stored")
        }
        // At most one post per client was in flight when the server died; those may or may not be stored.
        #expect(itemsPerTag.count <= ledger.acked.count + clients)
        #expect(itemsPerTag.values.allSatisfy { $0 == 1 })

        // After a restart, the clients retry what got no answer, and some that did: nothing is stored twice.
        let again = try ServeProcess(db: db, dir: dir, extra: unlimited)
        defer { again.kill() }
        let retries = ledger.unanswered + Array(ledger.acked.keys.sorted().prefix(50))
        let connection = try TestConnection(port: again.port)
        for tag in retries {
            connection.send(Self.request(tag: tag))
            let answer = try #require(connection.readResponse())
            #expect([200, 201].contains(answer.status))
            if let id = ledger.acked[tag] {
                #expect(answer.status == 200)
                #expect(answer.text.contains(id))
            }
        }
        let itemsAfter = try store.counts().items
        #expect(itemsAfter <= ledger.acked.count + clients)
        #expect(itemsAfter >= ledger.acked.count)
        print("serve SIGKILL test: \(ledger.sent) sent, \(ledger.acked.count) acknowledged, \(ledger.unanswered.count) unanswered, \(itemsAfter) items after retries, \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}
