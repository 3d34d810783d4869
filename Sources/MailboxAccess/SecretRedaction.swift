import Foundation

/// Removes a credential from text that might echo it, in every form the
/// protocol carries it: the literal secret, percent-encoded (URLs), after
/// `Bearer `, and inside any base64 or base64url token whose decoded bytes
/// contain it (SASL PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER responses).
/// A server that echoes the client's SASL response therefore cannot get the
/// password or token into a log.
public struct SecretRedactor: Sendable {
    /// What replaces a secret.
    public static let mask = "<redacted>"
    private let secrets: [String]

    /// - Parameter secrets: the credentials to hide (those shorter than 3 characters are ignored).
    public init(secrets: [String]) {
        self.secrets = secrets.filter { $0.count >= 3 }
    }

    /// `text` with every form of every secret replaced by ``mask``.
    public func redact(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var out = text
        for secret in secrets {
            out = out.replacingOccurrences(of: secret, with: Self.mask)
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics), encoded != secret {
                out = out.replacingOccurrences(of: encoded, with: Self.mask)
            }
        }
        return redactEncodedTokens(out)
    }

    /// Replaces each base64-looking token whose decoding contains a secret.
    private func redactEncodedTokens(_ text: String) -> String {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_")
        var result = ""
        var token = ""
        func flush() {
            if token.count >= 4, containsSecret(decoding: token) {
                result += Self.mask
            } else {
                result += token
            }
            token = ""
        }
        for ch in text {
            if alphabet.contains(ch) {
                token.append(ch)
            } else {
                flush()
                result.append(ch)
            }
        }
        flush()
        return result
    }

    private func containsSecret(decoding token: String) -> Bool {
        var standard = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.hasSuffix("=") { standard.removeLast() }
        // Try every alignment: an echoed token may have lost leading characters.
        for drop in 0..<4 {
            guard standard.count > drop else { break }
            var candidate = String(standard.dropFirst(drop))
            if candidate.count % 4 == 1 { candidate.removeLast() }   // a lone trailing character decodes to nothing
            while candidate.count % 4 != 0 { candidate.append("=") }
            guard let data = Data(base64Encoded: candidate) else { continue }
            for secret in secrets where data.range(of: Data(secret.utf8)) != nil { return true }
        }
        return false
    }
}

extension IMAPResponses {
    /// A server's answer during authentication reduced to its status: the
    /// status word and any bracketed response code (`NO [AUTHENTICATIONFAILED]`),
    /// never its free text, which may echo what the client sent.
    static func statusOnly(_ response: String) -> String {
        let words = response.split(separator: " ", omittingEmptySubsequences: true)
        guard let status = words.first else { return "no answer" }
        var out = String(status).uppercased()
        if words.count > 1, words[1].hasPrefix("[") {
            let code = words.dropFirst().prefix { !$0.hasSuffix("]") }.map(String.init)
            if let end = words.dropFirst(1 + code.count).first, end.hasSuffix("]") {
                let full = (code + [String(end)]).joined(separator: " ")
                if full.count <= 64, full.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "[]- ".contains($0)) }) {
                    out += " " + full
                }
            }
        }
        return out
    }
}
