import Foundation
import TriageTestSupport
import TriageServe
import TriageStore
#if canImport(Glibc)
import Glibc
#endif

/// Paths, a real server on 127.0.0.1 and a small HTTP/1.1 client over a
/// plain socket (so tests can also send what no library would: slow, broken
/// or oversized requests).
enum ServeTestEnv {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let rulesURL = repoRoot.appendingPathComponent("Rules")

    static var triageBinary: String? {
        FileManager.default.isExecutableFile(atPath: TestPaths.triage) ? TestPaths.triage : nil
    }

    static func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("serve-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct ServeTestError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// The built `triage serve` on 127.0.0.1 with a fresh store and the real
/// rules, parsers and classifier (Cambridgeshire). A child process, not a
/// server inside the test process: the tests block on sockets, and a server
/// sharing their thread pool could be starved by them.
final class RunningServer: @unchecked Sendable {
    let port: Int
    let store: Store
    let dbPath: String
    private let process: ServeProcess

    init(settings: ServeSettings = ServeSettings(), dbPath: String? = nil) async throws {
        let dir = try ServeTestEnv.tempDir()
        let path = dbPath ?? dir.appendingPathComponent("triage.sqlite").path
        self.dbPath = path
        let defaults = ServeSettings()
        var arguments = ["--force", "cambridgeshire"]
        if settings.maxBodyBytes != defaults.maxBodyBytes { arguments += ["--max-body", "\(settings.maxBodyBytes)"] }
        if settings.maxUploadBytes != defaults.maxUploadBytes { arguments += ["--max-upload", "\(settings.maxUploadBytes)"] }
        if settings.maxFields != defaults.maxFields { arguments += ["--max-fields", "\(settings.maxFields)"] }
        if settings.ratePerMinute != defaults.ratePerMinute { arguments += ["--rate", "\(settings.ratePerMinute)"] }
        if settings.rateBurst != defaults.rateBurst { arguments += ["--burst", "\(settings.rateBurst)"] }
        if settings.requestTimeout != defaults.requestTimeout { arguments += ["--request-timeout", "\(settings.requestTimeout)"] }
        if settings.honeypotField != defaults.honeypotField { arguments += ["--honeypot", settings.honeypotField] }
        for origin in settings.allowedOrigins { arguments += ["--allow-origin", origin] }
        if let secret = settings.sharedSecret {
            let file = dir.appendingPathComponent("secret").path
            try secret.write(toFile: file, atomically: true, encoding: .utf8)
            arguments += ["--secret-file", file]
        }
        process = try ServeProcess(db: path, dir: dir, extra: arguments)
        port = process.port
        store = try Store(path: path)
    }

    /// SIGTERM: a graceful shutdown.
    func stop() async {
        process.signal(SIGTERM)
        if process.waitForExit(seconds: 20) == nil { process.kill() }
    }

    deinit { process.kill() }
}

/// An HTTP response as read off the socket.
struct HTTPAnswer {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// A blocking HTTP/1.1 client over one TCP connection to 127.0.0.1.
final class TestConnection {
    let fd: Int32

    init(port: Int, receiveTimeout: TimeInterval = 30) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServeTestError("socket failed") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw ServeTestError("connect to 127.0.0.1:\(port) failed: errno \(errno)") }
        var tv = timeval(tv_sec: Int(receiveTimeout), tv_usec: Int((receiveTimeout - Double(Int(receiveTimeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    /// The local (client) port of the connection.
    var localPort: Int {
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Sends bytes; false when the peer has closed.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Reads one response (Content-Length or to the end of the connection); nil when the connection closed first.
    func readResponse() -> HTTPAnswer? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        func fill() -> Bool {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return false }
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
        var headEnd: Int? = nil
        while headEnd == nil {
            if let r = Self.find([13, 10, 13, 10], in: buffer) { headEnd = r; break }
            if !fill() { return nil }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = head[0].split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(buffer[(headEnd! + 4)...])
        if let length = headers["content-length"].flatMap({ Int($0) }) {
            while body.count < length {
                let before = buffer.count
                if !fill() { break }
                body.append(contentsOf: buffer[before...])
            }
        } else if headers["transfer-encoding"]?.lowercased() == "chunked" {
            var raw = body
            while Self.find(Array("0\r\n\r\n".utf8), in: raw) == nil {
                let before = buffer.count
                if !fill() { break }
                raw.append(contentsOf: buffer[before...])
            }
            body = Self.dechunk(raw)
        }
        return HTTPAnswer(status: status, headers: headers, body: body)
    }

    /// True when the server has closed the connection (a read gives end of file).
    func peerClosed() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }

    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle { return i }
        return nil
    }

    static func dechunk(_ raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var pos = 0
        while let lf = find([13, 10], in: Array(raw[pos...])) {
            let size = Int(String(decoding: raw[pos..<(pos + lf)], as: UTF8.self), radix: 16) ?? 0
            pos += lf + 2
            if size == 0 || pos + size > raw.count { break }
            out += raw[pos..<(pos + size)]
            pos += size + 2
        }
        return out
    }
}

/// Builds requests.
enum Requests {
    static func post(_ path: String, contentType: String?, body: [UInt8], headers: [String: String] = [:]) -> [UInt8] {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        head += "Content-Length: \(body.count)\r\n"
        for (k, v) in headers.sorted(by: { $0.key < $1.key }) { head += "\(k): \(v)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    static func get(_ path: String) -> [UInt8] {
        Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    }

    static let json = ["Accept": "application/json"]

    /// One request on a new connection.
    static func send(_ request: [UInt8], port: Int) throws -> HTTPAnswer {
        let c = try TestConnection(port: port)
        c.send(request)
        guard let answer = c.readResponse() else { throw ServeTestError("no answer") }
        return answer
    }

    static func urlencoded(_ pairs: [(String, String)]) -> [UInt8] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return Array(pairs.map { k, v in
            "\(k.addingPercentEncoding(withAllowedCharacters: allowed)!)=\(v.addingPercentEncoding(withAllowedCharacters: allowed)!.replacingOccurrences(of: "%20", with: "+"))"
        }.joined(separator: "&").utf8)
    }

    static func multipart(boundary: String, fields: [(String, String)], files: [(field: String, name: String, type: String, bytes: [UInt8])] = []) -> [UInt8] {
        var out: [UInt8] = []
        for (k, v) in fields {
            out += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8)
        }
        for f in files {
            out += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(f.field)\"; filename=\"\(f.name)\"\r\nContent-Type: \(f.type)\r\n\r\n".utf8)
            out += f.bytes + Array("\r\n".utf8)
        }
        out += Array("--\(boundary)--\r\n".utf8)
        return out
    }
}

/// Runs the built `triage` binary; returns its exit status and standard output.
func runTriage(_ arguments: [String]) throws -> (status: Int32, output: String) {
    guard let bin = ServeTestEnv.triageBinary else { throw ServeTestError("build the triage binary first (swift build)") }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: bin)
    process.arguments = arguments
    process.currentDirectoryURL = ServeTestEnv.repoRoot
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
