import ArgumentParser
import Foundation
import Logging
import TriageCore
import TriageServe
import TriageStore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive web form posts over HTTP: store each one before answering, then classify it with history.",
        discussion: """
            POST /forms/FORM takes a form of Rules/forms/ (FORM is the mapping id) as urlencoded, \
            multipart/form-data (with files) or JSON. Each post is stored, with its decision, in one \
            transaction committed to disk before the answer: a browser is sent (303) to /thanks/REFERENCE; \
            a client that sends Accept: application/json gets 201 {"id": …, "reference": …}. A retry (same \
            Idempotency-Key header, or the same bytes) is answered with the item first stored (200). \
            A bad post gets a 4xx saying what is wrong and is kept in the store's quarantine. \
            GET /healthz answers ok; GET /metrics gives Prometheus metrics.

            Listen on loopback behind the reverse proxy that ends TLS; give it --trust-proxy if it is not on \
            this host. Logs (standard error) carry the form, status, result and reference, never what was \
            written or who sent it. SIGTERM or SIGINT: stop accepting, finish the posts in flight, exit 0.

            Exit codes: 0 stopped by a signal; 2 bad options or configuration (64 when the option parser finds them), or the \
            address cannot be listened on.

            Examples:
              triage serve --db /var/lib/triage/triage.sqlite --listen 127.0.0.1:8080
              triage serve --listen 127.0.0.1:8080 --allow-origin https://www.cambridgeshire-pcc.gov.uk
              TRIAGE_FORM_SECRET=… triage serve --listen 127.0.0.1:8081 --secret-env TRIAGE_FORM_SECRET --rate 600
              curl -H 'Accept: application/json' --data-urlencode 'details=…' http://127.0.0.1:8080/forms/generic-fallback
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var ruleOptions: RuleOptions
    @Option(help: "The force profile (default: Rules/config.yaml's default_force).") var force: String?
    @Option(help: "HOST:PORT to listen on.") var listen: String = "127.0.0.1:8080"
    @Option(help: "Largest request body accepted, in bytes.") var maxBody: Int = ServeSettings().maxBodyBytes
    @Option(help: "Largest uploaded file accepted, in bytes.") var maxUpload: Int = ServeSettings().maxUploadBytes
    @Option(help: "Most form fields accepted in one post.") var maxFields: Int = ServeSettings().maxFields
    @Option(help: "Posts per minute allowed from one client, on average.") var rate: Double = ServeSettings().ratePerMinute
    @Option(help: "Posts one client may make at once before --rate applies.") var burst: Double = ServeSettings().rateBurst
    @Option(help: "The hidden honeypot field; a post that fills it is refused (\"\" for none).") var honeypot: String = ServeSettings().honeypotField
    @Option(help: "An origin whose pages may post (repeat for more); posts from other origins are refused.") var allowOrigin: [String] = []
    @Option(help: "Seconds a whole request may take to arrive.") var requestTimeout: Double = ServeSettings().requestTimeout
    @Option(help: "Environment variable holding the shared secret that posts must carry.") var secretEnv: String?
    @Option(help: "File holding the shared secret that posts must carry.") var secretFile: String?
    @Option(help: "A reverse proxy whose X-Forwarded-For is believed (repeat; default: 127.0.0.1 and ::1).") var trustProxy: [String] = []

    func validate() throws {
        if secretEnv != nil && secretFile != nil { throw ValidationError("Give --secret-env or --secret-file, not both.") }
        _ = try settings(secret: nil)
    }

    /// The settings from the options.
    func settings(secret: String?) throws -> ServeSettings {
        var s = ServeSettings()
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:8080.")
        }
        s.host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        s.port = port
        s.maxBodyBytes = maxBody
        s.maxUploadBytes = maxUpload
        s.maxFields = maxFields
        s.ratePerMinute = rate
        s.rateBurst = burst
        s.honeypotField = honeypot
        s.allowedOrigins = allowOrigin
        s.requestTimeout = requestTimeout
        s.sharedSecret = secret
        if !trustProxy.isEmpty { s.trustedProxies = trustProxy }
        let problems = s.problems()
        if !problems.isEmpty { throw ValidationError(problems.joined(separator: "; ") + ".") }
        return s
    }

    func run() async throws {
        let settings = try settings(secret: try readSecret(env: secretEnv, file: secretFile))
        let rules = try LoadedRules(ruleOptions, force: force)
        let ingester = try makeIngester(ruleOptions)
        guard !ingester.formMappingIDs.isEmpty else {
            Diagnostics.error("no form mappings in \(rules.directory.url.path)/forms: nothing to serve")
            throw ExitCodes.badConfiguration
        }
        let store: Store
        do {
            store = try Store.open(location: storeOptions.db, fsyncEveryCommit: settings.fsyncEveryCommit)
        } catch {
            Diagnostics.error("cannot open the store \(Store.displayLocation(storeOptions.db)): \(error)")
            throw ExitCodes.badConfiguration
        }
        let classifier = Classifier(rules.compiled)
        let forceId = rules.forceId
        let intake = FormIntake(store: store, ingester: ingester, forms: Set(ingester.formMappingIDs),
                                thresholds: rules.profile.history ?? .defaults, settings: settings,
                                classify: { item, facts in classifier.classify(item, force: forceId, history: facts) })
        var serveLogger = Logger(label: "triage.serve")
        serveLogger.logLevel = .info
        let logger = serveLogger
        let server = FormServer(intake: intake, settings: settings, profile: rules.profile, logger: logger)
        do {
            try await server.run(onListening: { port in
                logger.info("listening", metadata: ["address": "\(settings.host):\(port)", "forms": "\(ingester.formMappingIDs.joined(separator: ","))"])
            })
        } catch {
            Diagnostics.error("cannot serve on \(listen): \(error)")
            throw ExitCodes.badConfiguration
        }
    }
}
