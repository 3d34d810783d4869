import ArgumentParser
import Foundation
import Logging
import MailboxAccess
import RuleFiles
import Synchronization
import TriageCore
import TriageIngest
import TriageApp
import TriageStore
import Yams

/// Set by SIGTERM/SIGINT: the poller finishes the item in hand and exits.
let pollStopRequested = Atomic<Bool>(false)

struct PollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poll",
        abstract: "The mailbox polling job: ingest each new message exactly once, then mark it in the mailbox.",
        discussion: """
            Each message is stored with its decision in one transaction before the mailbox is touched; only \
            then is it marked (Maildir: moved from new/ to cur/ with the S flag; IMAP: the $Triaged keyword, \
            or moved to --move-to). The store keeps which UIDs (per UIDVALIDITY) are done, so a restart \
            resumes where it stopped and nothing is recorded twice. SIGTERM finishes the item in hand and exits.

            Passwords and tokens never go on the command line: use --password-env/--password-file or
            --token-env/--token-file (OAuth2 bearer token for Microsoft 365 and Gmail), or the configuration file.
            Logs (standard error) carry counts and mailbox names, never message content or addresses.

            Exit codes: 0 done; 1 some messages were quarantined; 2 bad configuration; 4 the mailbox could not be reached.

            Examples:
              triage poll --maildir /var/mail/complaints --once
              TRIAGE_IMAP_PASSWORD=… triage poll --imap imaps://opcc@mail.example.org:993/INBOX --password-env TRIAGE_IMAP_PASSWORD --interval 60
              triage poll --config /etc/triage/poll.yaml --once
            """
    )

    @Option(help: "A Maildir to poll.") var maildir: String?
    @Option(help: "An IMAP mailbox URL: imaps://user@host:993/INBOX.") var imap: String?
    @Option(help: "A YAML configuration file (mailbox, credentials, force, folders); options given here win.") var config: String?
    @Flag(help: "Poll once and exit (for cron).") var once = false
    @Option(help: "Keep running, polling every SECONDS.") var interval: Int?
    @Option(help: "Environment variable holding the IMAP password.") var passwordEnv: String?
    @Option(help: "File holding the IMAP password.") var passwordFile: String?
    @Option(help: "Environment variable holding an OAuth2 bearer token (XOAUTH2/OAUTHBEARER).") var tokenEnv: String?
    @Option(help: "File holding an OAuth2 bearer token.") var tokenFile: String?
    @Option(help: "After storing, move IMAP messages to this folder (default: flag them $Triaged and leave them).") var moveTo: String?
    @Option(help: "CA certificate file for IMAPS.") var caFile: String?
    @Option(help: "At most this many messages per poll.") var limit: Int?
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var ruleOptions: RuleOptions
    @Option(help: "The force profile (default: the configuration's, else Rules/config.yaml's).") var force: String?

    func validate() throws {
        if once && interval != nil { throw ValidationError("Give --once or --interval, not both.") }
        if let interval, interval < 1 { throw ValidationError("--interval must be at least 1 second.") }
    }

    func run() throws {
        let settings = try PollSettings.resolve(self)
        let (directory, compiled) = try ruleOptions.load()
        let forceId = force ?? settings.force ?? directory.defaultForce()
        guard let profile = compiled.ruleSet.profile(forceId) else {
            throw ValidationError("No force profile '\(forceId)'.")
        }
        let ingester = try makeIngester(ruleOptions)
        let classifier = Classifier(compiled)
        var options = storeOptions
        if let db = settings.db, storeOptions.db == "triage.sqlite" { options.db = db }
        let store = try options.open()
        var logger = Logger(label: "triage.poll")
        logger.logLevel = .info
        signal(SIGTERM) { _ in pollStopRequested.store(true, ordering: .relaxed) }
        signal(SIGINT) { _ in pollStopRequested.store(true, ordering: .relaxed) }

        let job = PollJob(store: store, ingester: ingester, classifier: classifier, force: forceId,
                          thresholds: profile.history ?? .defaults, limit: limit, logger: logger, budget: try loadItemBudget(),
                          shouldStop: { pollStopRequested.load(ordering: .relaxed) })
        var anyQuarantined = false
        repeat {
            do {
                let summary: PollJob.Result
                if let path = settings.maildir {
                    summary = try job.poll(MaildirPollSource(maildir: MaildirMailbox(path: path)))
                } else if let url = settings.imap {
                    let configuration = try settings.imapConfiguration(url: url)
                    let source = IMAPPollSource(mailbox: IMAPMailbox(configuration: configuration),
                                                marking: settings.moveTo.map { .move(keyword: "$Triaged", folder: $0) } ?? .flag(["$Triaged"]))
                    try source.prepare()
                    summary = try job.poll(source)
                } else {
                    throw ValidationError("Give --maildir DIR or --imap URL (or a --config file naming one).")
                }
                anyQuarantined = anyQuarantined || summary.quarantined > 0
            } catch let error as MailboxError {
                logger.error("mailbox unreachable", metadata: ["error": "\(TerminalSafe.inline(error.description))"])
                if settings.interval == nil { throw ExitCodes.mailboxUnreachable }
            }
            guard let seconds = settings.interval, !pollStopRequested.load(ordering: .relaxed) else { break }
            for _ in 0..<(seconds * 10) where !pollStopRequested.load(ordering: .relaxed) { usleep(100_000) }
        } while !pollStopRequested.load(ordering: .relaxed)
        if anyQuarantined { throw ExitCodes.unreadableItems }
    }
}

/// The poller's settings: the configuration file, overridden by options.
struct PollSettings: Decodable {
    var maildir: String?
    var imap: String?
    var username: String?
    var passwordEnv: String?
    var passwordFile: String?
    var tokenEnv: String?
    var tokenFile: String?
    var tokenMechanism: String?
    var moveTo: String?
    var caFile: String?
    var force: String?
    var db: String?
    var interval: Int?

    enum CodingKeys: String, CodingKey {
        case maildir, imap, username, force, db, interval
        case passwordEnv = "password_env", passwordFile = "password_file"
        case tokenEnv = "token_env", tokenFile = "token_file", tokenMechanism = "token_mechanism"
        case moveTo = "move_to", caFile = "ca_file"
    }

    static func resolve(_ command: PollCommand) throws -> PollSettings {
        var settings = PollSettings()
        if let path = command.config {
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("\(path): cannot read the configuration file") }
            do { settings = try YAMLDecoder().decode(PollSettings.self, from: String(decoding: data, as: UTF8.self)) } catch {
                throw ValidationError("\(path): \(error)")
            }
        }
        if let v = command.maildir { settings.maildir = v; settings.imap = nil }
        if let v = command.imap { settings.imap = v; settings.maildir = nil }
        if let v = command.passwordEnv { settings.passwordEnv = v }
        if let v = command.passwordFile { settings.passwordFile = v }
        if let v = command.tokenEnv { settings.tokenEnv = v }
        if let v = command.tokenFile { settings.tokenFile = v }
        if let v = command.moveTo { settings.moveTo = v }
        if let v = command.caFile { settings.caFile = v }
        if command.once { settings.interval = nil } else if let v = command.interval { settings.interval = v }
        if settings.maildir == nil && settings.imap == nil { throw ValidationError("Give --maildir DIR or --imap URL (or a --config file naming one).") }
        return settings
    }

    /// The IMAP configuration, with the secret read from the environment or a file.
    func imapConfiguration(url: String) throws -> IMAPConfiguration {
        let credential: IMAPConfiguration.Credential
        if let token = try readSecret(env: tokenEnv, file: tokenFile) {
            let mechanism = IMAPConfiguration.BearerMechanism(rawValue: (tokenMechanism ?? "automatic").uppercased()) ?? .automatic
            credential = .bearerToken(token, mechanism: mechanism)
        } else if let password = try readSecret(env: passwordEnv, file: passwordFile) {
            credential = .password(password)
        } else {
            throw ValidationError("No IMAP credential: give --password-env, --password-file, --token-env or --token-file.")
        }
        var configuration = try IMAPConfiguration(url: url, username: username, credential: credential)
        if let caFile { configuration.caFile = caFile }
        return configuration
    }

    init() {}
}

/// A secret from an environment variable or a file (never the command line).
/// - Returns: nil when neither is given.
/// - Throws: when the variable is unset or empty, or the file cannot be read.
func readSecret(env: String?, file: String?) throws -> String? {
    if let env {
        guard let value = ProcessInfo.processInfo.environment[env], !value.isEmpty else {
            throw ValidationError("The environment variable \(env) is not set.")
        }
        return value
    }
    if let file {
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("\(file): cannot read the secret file") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    return nil
}
