import CLibCurl
import Foundation

/// libcurl's process-wide initialisation, done once before the first handle.
private let curlReady: Bool = triage_curl_global_init() == CURLE_OK

/// One libcurl option as a value, so the options an operation uses can be
/// built, inspected and tested without a network, then applied in one place.
enum CurlSetting: Equatable, Sendable, CustomStringConvertible {
    case url(String)
    case username(String)
    case password(String)
    /// CURLOPT_XOAUTH2_BEARER: an OAuth 2.0 access token (XOAUTH2 or OAUTHBEARER).
    case bearerToken(String)
    /// CURLOPT_LOGIN_OPTIONS, e.g. `AUTH=XOAUTH2`.
    case loginOptions(String)
    case customRequest(String)
    /// CURLOPT_USE_SSL: CURLUSESSL_ALL when required (STARTTLS on imap://), else CURLUSESSL_NONE.
    case requireTLS(Bool)
    case caFile(String)
    case verifyPeer(Bool)
    case verifyHost(Bool)
    case connectTimeoutMilliseconds(Int)
    case timeoutMilliseconds(Int)
    /// Abort when fewer than `bytesPerSecond` arrive for `seconds`.
    case lowSpeed(bytesPerSecond: Int, seconds: Int)
    /// CURLOPT_UPLOAD with CURLOPT_INFILESIZE_LARGE: the body comes from the transfer's upload bytes.
    case upload(size: Int)
    case verbose(Bool)

    /// A printable form that never shows a secret.
    var description: String {
        switch self {
        case .password: return "password(<redacted>)"
        case .bearerToken: return "bearerToken(<redacted>)"
        case .url(let value): return "url(\(value))"
        case .username(let value): return "username(\(value))"
        case .loginOptions(let value): return "loginOptions(\(value))"
        case .customRequest(let value): return "customRequest(\(value))"
        case .requireTLS(let value): return "requireTLS(\(value))"
        case .caFile(let value): return "caFile(\(value))"
        case .verifyPeer(let value): return "verifyPeer(\(value))"
        case .verifyHost(let value): return "verifyHost(\(value))"
        case .connectTimeoutMilliseconds(let value): return "connectTimeoutMilliseconds(\(value))"
        case .timeoutMilliseconds(let value): return "timeoutMilliseconds(\(value))"
        case .lowSpeed(let rate, let seconds): return "lowSpeed(\(rate), \(seconds))"
        case .upload(let size): return "upload(\(size))"
        case .verbose(let value): return "verbose(\(value))"
        }
    }
}

/// What one libcurl transfer produced.
struct CurlResult {
    /// The CURLcode as an integer (0 is success).
    var code: Int
    /// libcurl's one-line error text (CURLOPT_ERRORBUFFER or curl_easy_strerror).
    var errorText: String
    /// The body: message bytes for a fetch; untagged response lines for a custom command.
    var body: [UInt8]
    /// Every server response line (libcurl hands IMAP response lines to the header callback),
    /// without the trailing CRLF. Client commands are never in here.
    var responseLines: [String]
    /// True when the body callback stopped the transfer because the size limit was passed.
    var bodyTooLarge: Bool

    var succeeded: Bool { code == 0 }
}

/// Collects a transfer's output; reached from libcurl's C callbacks through an opaque pointer.
private final class TransferBuffers {
    var body: [UInt8] = []
    var lines: [String] = []
    var upload: [UInt8] = []
    var uploadOffset = 0
    var maxBody: Int
    var bodyTooLarge = false

    init(maxBody: Int, upload: [UInt8]) {
        self.maxBody = maxBody
        self.upload = upload
    }
}

private let bodyCallback: triage_curl_data_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let buffers = Unmanaged<TransferBuffers>.fromOpaque(userdata).takeUnretainedValue()
    let total = size * count
    if buffers.body.count + total > buffers.maxBody {
        buffers.bodyTooLarge = true
        return 0
    }
    buffer.withMemoryRebound(to: UInt8.self, capacity: total) { bytes in
        buffers.body.append(contentsOf: UnsafeBufferPointer(start: bytes, count: total))
    }
    return total
}

private let headerCallback: triage_curl_data_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let buffers = Unmanaged<TransferBuffers>.fromOpaque(userdata).takeUnretainedValue()
    let total = size * count
    let line = buffer.withMemoryRebound(to: UInt8.self, capacity: total) { bytes in
        String(decoding: UnsafeBufferPointer(start: bytes, count: total), as: UTF8.self)
    }
    // Keep a bounded number of lines: they are used for status and errors only.
    if buffers.lines.count < 10_000 {
        buffers.lines.append(String(line.trimmingSuffix { $0 == "\r" || $0 == "\n" }))
    }
    return total
}

private let readCallback: triage_curl_data_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let buffers = Unmanaged<TransferBuffers>.fromOpaque(userdata).takeUnretainedValue()
    let room = size * count
    let remaining = buffers.upload.count - buffers.uploadOffset
    let n = min(room, max(remaining, 0))
    if n > 0 {
        buffers.upload.withUnsafeBufferPointer { source in
            if let base = source.baseAddress {
                UnsafeMutableRawPointer(buffer).copyMemory(from: base + buffers.uploadOffset, byteCount: n)
            }
        }
        buffers.uploadOffset += n
    }
    return n
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex {
            let before = index(before: end)
            if predicate(self[before]) { end = before } else { break }
        }
        return self[startIndex..<end]
    }
}

/// One libcurl easy handle, reused for successive transfers so that libcurl can
/// keep the IMAP connection (and the selected mailbox) between operations.
/// Not thread-safe by itself: the owner serialises calls.
final class CurlTransfer {
    private let handle: UnsafeMutableRawPointer?

    init() {
        _ = curlReady
        handle = curl_easy_init()
    }

    deinit {
        if let handle { curl_easy_cleanup(handle) }
    }

    /// Runs one transfer with exactly these settings (the handle is reset first,
    /// which keeps its live connection).
    func perform(_ settings: [CurlSetting], upload: [UInt8] = [], maxBody: Int) -> CurlResult {
        guard let handle else {
            return CurlResult(code: -1, errorText: "libcurl could not create a handle", body: [], responseLines: [], bodyTooLarge: false)
        }
        curl_easy_reset(handle)
        let buffers = TransferBuffers(maxBody: maxBody, upload: upload)
        let context = Unmanaged.passUnretained(buffers).toOpaque()
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer {
            // The pointers handed to libcurl live only for this call.
            curl_easy_reset(handle)
            errorBuffer.deallocate()
        }
        var failed: (setting: CurlSetting, code: CURLcode)?
        func check(_ code: CURLcode, _ setting: CurlSetting) {
            if code != CURLE_OK, failed == nil { failed = (setting, code) }
        }
        _ = triage_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = triage_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = triage_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, bodyCallback)
        _ = triage_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = triage_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, headerCallback)
        _ = triage_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        _ = triage_curl_setopt_callback(handle, CURLOPT_READFUNCTION, readCallback)
        _ = triage_curl_setopt_pointer(handle, CURLOPT_READDATA, context)
        for setting in settings {
            check(Self.apply(setting, to: handle), setting)
        }
        if let failed {
            let text = String(cString: curl_easy_strerror(failed.code))
            return CurlResult(
                code: Int(failed.code.rawValue),
                errorText: "libcurl refused option \(failed.setting.name): \(text)",
                body: [], responseLines: [], bodyTooLarge: false)
        }
        let code = curl_easy_perform(handle)
        var errorText = String(cString: errorBuffer)
        if errorText.isEmpty, code != CURLE_OK {
            errorText = String(cString: curl_easy_strerror(code))
        }
        return CurlResult(
            code: Int(code.rawValue), errorText: errorText, body: buffers.body,
            responseLines: buffers.lines, bodyTooLarge: buffers.bodyTooLarge)
    }

    private static func apply(_ setting: CurlSetting, to handle: UnsafeMutableRawPointer) -> CURLcode {
        switch setting {
        case .url(let value): return triage_curl_setopt_string(handle, CURLOPT_URL, value)
        case .username(let value): return triage_curl_setopt_string(handle, CURLOPT_USERNAME, value)
        case .password(let value): return triage_curl_setopt_string(handle, CURLOPT_PASSWORD, value)
        case .bearerToken(let value): return triage_curl_setopt_string(handle, CURLOPT_XOAUTH2_BEARER, value)
        case .loginOptions(let value): return triage_curl_setopt_string(handle, CURLOPT_LOGIN_OPTIONS, value)
        case .customRequest(let value): return triage_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, value)
        case .requireTLS(let value):
            let level = value ? CURLUSESSL_ALL : CURLUSESSL_NONE
            return triage_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(level.rawValue))
        case .caFile(let value): return triage_curl_setopt_string(handle, CURLOPT_CAINFO, value)
        case .verifyPeer(let value): return triage_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, value ? 1 : 0)
        case .verifyHost(let value): return triage_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, value ? 2 : 0)
        case .connectTimeoutMilliseconds(let value):
            return triage_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, value)
        case .timeoutMilliseconds(let value): return triage_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, value)
        case .lowSpeed(let rate, let seconds):
            let first = triage_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, rate)
            if first != CURLE_OK { return first }
            return triage_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, seconds)
        case .upload(let size):
            let first = triage_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
            if first != CURLE_OK { return first }
            return triage_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(size))
        case .verbose(let value): return triage_curl_setopt_long(handle, CURLOPT_VERBOSE, value ? 1 : 0)
        }
    }
}

extension CurlSetting {
    /// The option's name without its value (for errors).
    var name: String {
        let text = description
        if let paren = text.firstIndex(of: "(") { return String(text[..<paren]) }
        return text
    }
}

/// libcurl error codes the mailbox code tells apart.
enum CurlCode {
    static let couldNotResolveHost = 6
    static let couldNotConnect = 7
    static let quoteError = 21
    static let writeError = 23
    static let timedOut = 28
    static let sslConnectError = 35
    static let peerFailedVerification = 60
    static let useSSLFailed = 64
    static let loginDenied = 67
    static let sslCACertBadFile = 77
    static let remoteFileNotFound = 78
}
