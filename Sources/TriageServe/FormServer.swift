import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import TriageCore

/// The request context of `triage serve`: Hummingbird's, plus the peer's address.
public struct ServeContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The address of the connection's peer (the reverse proxy, or the client).
    public let peer: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peer = source.channel.remoteAddress?.ipAddress
    }
}

/// `triage serve`: the OPCC's web form intake over HTTP/1.1 (Hummingbird 2).
///
/// - `POST /forms/{form}` stores a post of a form configured in `Rules/forms/`
///   (urlencoded, multipart with files, or JSON) before answering: 303 to the
///   thank-you page for a browser, 201 `{"id", "reference"}` for a client that
///   accepts JSON (200 for a retry of a stored post). A bad post gets a 4xx
///   that says what is wrong and is kept in quarantine with its bytes.
/// - `GET /thanks/{reference}`: the thank-you page.
/// - `GET /healthz`: `ok`. `GET /metrics`: Prometheus text.
public struct FormServer: Sendable {
    let intake: FormIntake
    let settings: ServeSettings
    let profile: ForceProfile
    let metrics: ServeMetrics
    let limiter: RateLimiter
    let logger: Logger
    let allowedOrigins: Set<String>

    /// Creates the server.
    /// - Parameters:
    ///   - intake: stores the posts.
    ///   - settings: address, limits and defences (check ``ServeSettings/problems()`` first).
    ///   - profile: the force profile, for the thank-you page.
    ///   - metrics: where metrics are recorded.
    ///   - logger: request logs: form, status, result, item reference and time; never content or addresses.
    public init(intake: FormIntake, settings: ServeSettings, profile: ForceProfile, metrics: ServeMetrics = ServeMetrics(), logger: Logger) {
        self.intake = intake
        self.settings = settings
        self.profile = profile
        self.metrics = metrics
        self.limiter = RateLimiter(perMinute: settings.ratePerMinute, burst: settings.rateBurst)
        self.logger = logger
        self.allowedOrigins = Set(settings.allowedOrigins.compactMap(ServeSettings.normaliseOrigin))
    }

    /// The Hummingbird application (a swift-service-lifecycle `Service`).
    /// - Parameter onListening: called with the port once the server listens.
    public func application(onListening: @escaping @Sendable (Int) -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: ServeContext.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.post("forms/:form") { request, context in await self.post(request, context: context) }
        router.get("thanks/:reference") { _, context in self.thanks(context.parameters.get("reference") ?? "") }
        router.get("healthz") { _, _ in Self.text("ok\n") }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: self.metrics.exposition())))
        }
        let timeout = TimeAmount.nanoseconds(Int64(settings.requestTimeout * 1_000_000_000))
        let metrics = self.metrics
        return Application(
            router: router,
            server: .http1(configuration: .init(
                additionalChannelHandlers: [RequestDeadlineHandler(timeout: timeout, onTimeout: { metrics.timedOut() })])),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Runs until SIGTERM or SIGINT, then stops accepting connections and lets
    /// the posts in flight finish and be stored (swift-service-lifecycle).
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        try await application(onListening: onListening).runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    // MARK: - POST /forms/{form}

    func post(_ request: Request, context: ServeContext) async -> Response {
        let started = ContinuousClock.now
        let form = context.parameters.get("form") ?? ""
        let wantsJSON = request.headers[.accept]?.lowercased().contains("application/json") ?? false
        let client = ClientAddress.resolve(peer: context.peer, forwardedFor: request.headers[Self.forwardedFor],
                                           trustedProxies: settings.trustedProxies)
        if let wait = limiter.take(client) {
            metrics.rateLimited()
            log(form: form, status: 429, result: "rate_limited", started: started)
            var response = answer(status: 429, problem: "too many posts from your address; try again in \(Int(wait.rounded(.up))) seconds",
                                  kept: false, json: wantsJSON)
            response.headers[.retryAfter] = String(Int(wait.rounded(.up)))
            response.headers[.connection] = "close"
            return response
        }

        // Read the body, at most the limit (plus one byte, to know it was more).
        let declared = request.headers[.contentLength].flatMap { Int($0) }
        var body: [UInt8] = []
        var tooLarge = (declared ?? 0) > settings.maxBodyBytes
        if !tooLarge {
            do {
                for try await buffer in request.body {
                    body.append(contentsOf: buffer.readableBytesView)
                    if body.count > settings.maxBodyBytes {
                        tooLarge = true
                        body.removeLast(body.count - settings.maxBodyBytes)
                        break
                    }
                }
            } catch {
                log(form: form, status: 408, result: "body_not_received", started: started)
                var response = answer(status: 408, problem: "the form did not arrive whole", kept: false, json: wantsJSON)
                response.headers[.connection] = "close"
                return response
            }
        }
        var received = IntakePost(form: form, contentType: request.headers[.contentType], contentEncoding: request.headers[.contentEncoding],
                                  idempotencyKey: request.headers[Self.idempotencyKey], body: body, received: Date())
        received.truncated = tooLarge
        let post = received

        if let (status, problem) = precheck(post, request: request, declared: declared) {
            return await refuse(post, status: status, problem: problem, json: wantsJSON, started: started, close: tooLarge)
        }
        let outcome: FormIntake.Outcome
        do {
            outcome = try await Self.offCooperativePool { try self.intake.accept(post) }
        } catch {
            logger.error("store unavailable", metadata: ["form": "\(form)", "error": "\(error)"])
            log(form: form, status: 503, result: "store_error", started: started)
            var response = answer(status: 503, problem: "your form could not be stored just now; please send it again in a minute",
                                  kept: false, json: wantsJSON)
            response.headers[.retryAfter] = "60"
            return response
        }
        switch outcome {
        case let .stored(itemID, _):
            metrics.stored()
            log(form: form, status: wantsJSON ? 201 : 303, result: "stored", item: itemID, started: started)
            return accepted(itemID: itemID, status: 201, json: wantsJSON)
        case let .duplicate(itemID):
            metrics.duplicate()
            log(form: form, status: wantsJSON ? 200 : 303, result: "duplicate", item: itemID, started: started)
            return accepted(itemID: itemID, status: 200, json: wantsJSON)
        case let .refused(refusal):
            metrics.quarantined(status: refusal.status)
            log(form: form, status: refusal.status, result: "quarantined", item: refusal.quarantinedAs, problem: refusal.problem, started: started)
            return answer(status: refusal.status, problem: refusal.problem, kept: true, quarantinedAs: refusal.quarantinedAs, json: wantsJSON)
        }
    }

    /// The checks made before parsing; the first that fails gives the status and problem.
    func precheck(_ post: IntakePost, request: Request, declared: Int?) -> (Int, String)? {
        if !intake.forms.contains(post.form) {
            return (404, "there is no form `\(post.form)` here (known: \(intake.forms.sorted().joined(separator: ", ")))")
        }
        if post.truncated {
            return (413, "the form is \(declared.map { "\($0) bytes" } ?? "larger than that"); at most \(settings.maxBodyBytes) bytes are accepted")
        }
        if let origin = request.headers[.origin] {
            guard let normalised = ServeSettings.normaliseOrigin(origin), allowedOrigins.contains(normalised) else {
                return (403, "forms are accepted only from this office's own web pages, not from \(origin.prefix(100))")
            }
        }
        if let secret = settings.sharedSecret, !Self.authenticated(request: request, body: post.body, secret: secret) {
            return (401, "the post carries no valid X-Triage-Secret or X-Triage-Signature header")
        }
        if let key = post.idempotencyKey, key.isEmpty || key.utf8.count > 200 || key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value > 0x7E }) {
            return (400, "the Idempotency-Key header must be 1 to 200 printable ASCII characters")
        }
        let type = (post.contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if !["application/x-www-form-urlencoded", "multipart/form-data", "application/json"].contains(type) {
            return (415, "a form must be sent as application/x-www-form-urlencoded, multipart/form-data or application/json, not `\(type.prefix(100))`")
        }
        return nil
    }

    /// Keeps a post refused before parsing in quarantine and answers it.
    func refuse(_ post: IntakePost, status: Int, problem: String, json: Bool, started: ContinuousClock.Instant, close: Bool) async -> Response {
        var response: Response
        do {
            let refusal = try await Self.offCooperativePool { try self.intake.refuse(post, status: status, problem: problem) }
            metrics.quarantined(status: status)
            log(form: post.form, status: status, result: "quarantined", item: refusal.quarantinedAs, problem: problem, started: started)
            response = answer(status: status, problem: problem, kept: true, quarantinedAs: refusal.quarantinedAs, json: json)
        } catch {
            logger.error("store unavailable", metadata: ["form": "\(post.form)", "error": "\(error)"])
            log(form: post.form, status: status, result: "refused_not_kept", problem: problem, started: started)
            response = answer(status: status, problem: problem, kept: false, json: json)
        }
        if close { response.headers[.connection] = "close" }
        return response
    }

    /// True when the request carries the shared secret, or a valid HMAC-SHA256 signature of the body.
    static func authenticated(request: Request, body: [UInt8], secret: String) -> Bool {
        let key = SymmetricKey(data: Array(secret.utf8))
        if let given = request.headers[secretHeader] {
            // Compare MACs of both, so the time taken does not depend on where they differ.
            let a = HMAC<SHA256>.authenticationCode(for: Array(given.utf8), using: key)
            let b = HMAC<SHA256>.authenticationCode(for: Array(secret.utf8), using: key)
            return a == b
        }
        if let signature = request.headers[signatureHeader]?.trimmingCharacters(in: .whitespaces).lowercased(),
           signature.hasPrefix("sha256="), let mac = hexBytes(signature.dropFirst(7)) {
            return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key)
        }
        return false
    }

    static func hexBytes<S: StringProtocol>(_ hex: S) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var out: [UInt8] = []
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[i...i + 1], as: UTF8.self), radix: 16) else { return nil }
            out.append(byte)
        }
        return out
    }

    // MARK: - Answers

    func accepted(itemID: String, status: Int, json: Bool) -> Response {
        let reference = Pages.reference(itemID)
        if json {
            return Response(status: .init(code: status), headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: Pages.json(["reference": reference, "id": itemID]))))
        }
        return Response(status: .seeOther, headers: [.location: "/thanks/\(reference)", .contentType: "text/plain; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: "Received: your reference is \(reference).\n")))
    }

    func answer(status: Int, problem: String, kept: Bool, quarantinedAs: String? = nil, json: Bool) -> Response {
        if json {
            var fields = ["error": problem]
            if let quarantinedAs { fields["quarantined"] = Pages.reference(quarantinedAs) }
            return Response(status: .init(code: status), headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: Pages.json(fields))))
        }
        return Response(status: .init(code: status), headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: Pages.refused(status: status, problem: problem, kept: kept))))
    }

    func thanks(_ reference: String) -> Response {
        let isHex = reference.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        guard (6...64).contains(reference.count), isHex, intake.isStored(reference) else {
            return Response(status: .notFound, headers: [.contentType: "text/html; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: Pages.refused(status: 404, problem: "there is no message with that reference", kept: false))))
        }
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: Pages.thanks(reference: String(reference.prefix(12)), profile: profile))))
    }

    static func text(_ s: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: s)))
    }

    /// One line per post: form, status, result, item reference, problem and time. No content, no addresses.
    func log(form: String, status: Int, result: String, item: String? = nil, problem: String? = nil, started: ContinuousClock.Instant) {
        var metadata: Logger.Metadata = [
            "form": "\(form.prefix(80))", "status": "\(status)", "result": "\(result)",
            "ms": "\(Self.nanoseconds(since: started) / 1_000_000)",
        ]
        if let item { metadata["item"] = "\(Pages.reference(item))" }
        if let problem { metadata["problem"] = "\(problem)" }
        logger.info("post", metadata: metadata)
    }

    /// Nanoseconds since `start`.
    static func nanoseconds(since start: ContinuousClock.Instant) -> Int64 {
        let d = ContinuousClock.now - start
        return d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    }

    /// Runs blocking work (SQLite, the classifier) on a Dispatch thread, not Swift's cooperative pool.
    static func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let secretHeader = HTTPField.Name("X-Triage-Secret")!
    static let signatureHeader = HTTPField.Name("X-Triage-Signature")!
}

/// Counts and times every request by route and status.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = ServeContext
    let metrics: ServeMetrics

    func handle(_ request: Request, context: ServeContext, next: (Request, ServeContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let path = request.uri.path
        let route = path.hasPrefix("/forms/") ? "form" : path.hasPrefix("/thanks/") ? "thanks"
            : path == "/healthz" ? "healthz" : path == "/metrics" ? "metrics" : "other"
        func record(_ status: Int) {
            metrics.request(route: route, status: status, nanoseconds: FormServer.nanoseconds(since: started))
        }
        do {
            let response = try await next(request, context)
            record(response.status.code)
            return response
        } catch let error as HTTPResponseError {
            record(error.status.code)
            throw error
        }
    }
}
