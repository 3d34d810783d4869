import Foundation

/// The settings of `triage serve`: where it listens and the defences a public
/// endpoint needs. Every one has a safe default.
public struct ServeSettings: Sendable, Equatable {
    /// Address to listen on (`127.0.0.1`; the reverse proxy in front ends TLS).
    public var host: String = "127.0.0.1"
    /// Port to listen on; 0 picks a free one (tests).
    public var port: Int = 8080
    /// The largest request body accepted, in bytes (413 above it).
    public var maxBodyBytes: Int = 10 * 1024 * 1024
    /// The largest single uploaded file, in bytes (413 above it).
    public var maxUploadBytes: Int = 5 * 1024 * 1024
    /// The most form fields a post may carry (a JSON or urlencoded "bomb" of keys is refused).
    public var maxFields: Int = 500
    /// Posts each client may make per minute, on average (429 above it).
    public var ratePerMinute: Double = 30
    /// Posts each client may make at once before the rate applies.
    public var rateBurst: Double = 10
    /// A hidden field that people leave empty and robots fill; a post that fills it is refused. Empty: none.
    public var honeypotField: String = "website"
    /// Origins (`https://www.example.org`) whose pages may post. A post whose
    /// Origin header is not listed is refused; one with no Origin (a server, curl) is not.
    public var allowedOrigins: [String] = []
    /// A request must arrive whole within this many seconds of the connection
    /// opening or the previous response (slow clients are cut off).
    public var requestTimeout: TimeInterval = 10
    /// When set, every post must carry `X-Triage-Secret: SECRET`, or
    /// `X-Triage-Signature: sha256=HEX` (HMAC-SHA256 of the body with SECRET).
    public var sharedSecret: String? = nil
    /// Peers whose `X-Forwarded-For` is believed (the reverse proxy).
    public var trustedProxies: [String] = ["127.0.0.1", "::1"]
    /// Make every commit reach the disk before the post is acknowledged.
    public var fsyncEveryCommit: Bool = true

    /// The defaults.
    public init() {}

    /// Problems with the settings, in words; empty when usable.
    public func problems() -> [String] {
        var out: [String] = []
        if !(0...65535).contains(port) { out.append("port \(port) is not between 0 and 65535") }
        if maxBodyBytes < 1024 { out.append("the body limit must be at least 1024 bytes") }
        if maxUploadBytes < 1 || maxUploadBytes > maxBodyBytes { out.append("the upload limit must be between 1 byte and the body limit") }
        if maxFields < 1 { out.append("the field limit must be at least 1") }
        if !(ratePerMinute > 0) { out.append("the rate must be more than 0 posts a minute") }
        if !(rateBurst >= 1) { out.append("the burst must be at least 1") }
        if !(requestTimeout > 0) { out.append("the request timeout must be more than 0 seconds") }
        if let s = sharedSecret, s.utf8.count < 16 { out.append("the shared secret must be at least 16 characters") }
        for origin in allowedOrigins where Self.normaliseOrigin(origin) == nil {
            out.append("`\(origin)` is not an origin (scheme://host[:port])")
        }
        return out
    }

    /// `https://Example.org:443/` → `https://example.org`; nil when not an origin.
    static func normaliseOrigin(_ text: String) -> String? {
        var s = text.trimmingCharacters(in: .whitespaces).lowercased()
        if s.hasSuffix("/") { s.removeLast() }
        guard let schemeEnd = s.range(of: "://") else { return nil }
        let scheme = s[..<schemeEnd.lowerBound]
        guard scheme == "http" || scheme == "https" else { return nil }
        var hostPort = String(s[schemeEnd.upperBound...])
        guard !hostPort.isEmpty, !hostPort.contains("/"), !hostPort.contains("@") else { return nil }
        if scheme == "https", hostPort.hasSuffix(":443") { hostPort.removeLast(4) }
        if scheme == "http", hostPort.hasSuffix(":80") { hostPort.removeLast(3) }
        return "\(scheme)://\(hostPort)"
    }
}
