// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ComplaintTriage",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "triage", targets: ["triage"]),
        .library(name: "TriageCore", targets: ["TriageCore"]),
        .library(name: "TriageIngest", targets: ["TriageIngest"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // `triage serve`: the HTTP server, its lifecycle and its metrics. Hummingbird's
        // default traits (swift-configuration support) are off: nothing here uses them.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        // The store on a PostgreSQL server (`--db postgres://…`), for a team on several machines.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Tests only: runs the built `triage` binary from the shared test support target.
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
    ],
    targets: [
        // The core: Correspondence and Decision models, the rule engine and the
        // classifier. No I/O, no C library.
        .target(name: "TriageCore"),

        // libxml2, the system C library (Debian: libxml2-dev).
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),

        // The Snowball stemmer library (Debian: libstemmer-dev), and its Swift
        // wrapper: the core's WordStemmer, so the core imports no C library.
        .systemLibrary(name: "CStemmer", providers: [.apt(["libstemmer-dev"])]),
        .target(name: "SnowballStemming", dependencies: ["TriageCore", "CStemmer"]),

        // Mail text, shared by every parser: the one charset decoder (iconv for the
        // rare charsets, one Windows-1252 table), transfer decodings (quoted-printable,
        // base64, uuencode, percent), HTML-to-text and XML document text (libxml2),
        // RFC 5322, HTTP and UK letter dates, and the Maildir layout.
        .target(name: "MailText", dependencies: ["CLibXML2"]),

        // SHA-256 as lower-case hex: item ids, provenance and attachments.
        .target(name: "ContentHashing", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),

        // Splits a body of text into new text, quoted replies, signature and disclaimer.
        // Its word lists are data: Rules/segmentation.yaml (found as the rules are).
        .target(name: "TextSegmentation", dependencies: ["TriageCore", "RuleFiles", .product(name: "Yams", package: "Yams")]),

        // poppler's GLib interface, the system C library (Debian: libpoppler-glib-dev): PDF text.
        .systemLibrary(
            name: "CPoppler",
            pkgConfig: "poppler-glib",
            providers: [.apt(["libpoppler-glib-dev"])]
        ),

        // Text of attached letters: PDF (poppler), DOCX and ODT (ZIP + XML), with named limits.
        .target(
            name: "AttachmentReading",
            dependencies: [
                "CPoppler", "MailText",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),

        // RFC 5322 / MIME email, mbox and Maildir.
        .target(
            name: "MailParsing",
            dependencies: [
                "TriageCore", "ContentHashing", "TextSegmentation", "MailText", "AttachmentReading",
            ]
        ),

        // Web form posts: urlencoded, multipart/form-data, JSON, raw HTTP requests.
        .target(
            name: "FormParsing",
            dependencies: [
                "TriageCore", "ContentHashing", "TextSegmentation", "MailText",
                // Rules/forms/*.yaml are read strictly, as every file under Rules/ is.
                "RuleFiles",
                .product(name: "MultipartKit", package: "multipart-kit"),
            ]
        ),

        // HTML, XML and plain-text letters (the markup read through MailText).
        .target(
            name: "LetterParsing",
            dependencies: ["TriageCore", "ContentHashing", "TextSegmentation", "MailText"]
        ),

        // One door for all ingesters: detects the format of a file or
        // container and yields Correspondence items (or quarantine records).
        .target(
            name: "TriageIngest",
            dependencies: ["TriageCore", "TextSegmentation", "MailParsing", "FormParsing", "LetterParsing"]
        ),

        // Loads Rules/ (YAML) into the core's rule-set types.
        .target(
            name: "RuleFiles",
            dependencies: [
                "TriageCore", "SnowballStemming", "ContentHashing",
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // The embedded SQLite store: raw items, decisions, overrides, history,
        // quarantine, poller state and the hash-chained audit log.
        .target(
            name: "TriageStore",
            dependencies: [
                "TriageCore", "ContentHashing", "TriagePostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // A PostgreSQL connection for the store (postgres-nio): libpq-style URLs and
        // passwords (PGPASSWORD, ~/.pgpass), a small pool of connections and
        // synchronous, transaction-scoped queries bridged from NIO's futures.
        .target(
            name: "TriagePostgres",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // libcurl, the system C library (Debian: libcurl4-openssl-dev): IMAP, IMAPS, XOAUTH2.
        .systemLibrary(
            name: "CLibCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // Mailbox access: Maildir and IMAP (through libcurl).
        .target(
            name: "MailboxAccess",
            dependencies: [
                "TriageCore", "CLibCurl", "MailText",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The caseworker's review: the queue, the screen as a state machine, the
        // terminal renderer, the draft letter and the accept/override statistics.
        .target(
            name: "TriageReview",
            dependencies: ["TriageCore", "TriageStore"]
        ),

        // Bulk reclassification: the bounded parallel pipeline and the change report
        // (text, JSON, HTML).
        .target(
            name: "TriageReclassify",
            dependencies: ["TriageCore", "TriageIngest", "RuleFiles", "TriageStore", "TriageReports", "MailText"]
        ),

        // The transparency publication and the caseload report: one query layer
        // over the store, SVG charts drawn here, HTML, CSV and JSON.
        .target(
            name: "TriageReports",
            dependencies: ["TriageCore", "TriageStore"]
        ),

        // `triage serve`: web form posts over HTTP (Hummingbird 2), stored before they
        // are acknowledged, with the defences a public endpoint needs and Prometheus metrics.
        .target(
            name: "TriageServe",
            dependencies: [
                "TriageCore", "TriageIngest", "TriageStore", "FormParsing", "ContentHashing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // The jobs behind the commands (ingest, poll, reclassify, the review actions,
        // eval, the benchmark and its synthetic archive generator), as a library: the
        // commands are thin shells over it, and the jobs are tested without running the binary.
        .target(
            name: "TriageApp",
            dependencies: [
                "TriageCore", "TriageIngest", "TriageStore", "MailboxAccess", "TriageReclassify", "TriageReview",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        .executableTarget(
            name: "triage",
            dependencies: [
                "TriageApp", "TriageCore", "TriageIngest", "RuleFiles", "TriageStore", "MailboxAccess", "TriageReview", "TriageReclassify", "TriageReports",
                "TriageServe",
                "TextSegmentation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),

        // Test helpers written once (repository paths, the built binary and a runner
        // for it); only test targets depend on it.
        .target(
            name: "TriageTestSupport",
            dependencies: [.product(name: "Subprocess", package: "swift-subprocess")],
            path: "Tests/TriageTestSupport"
        ),

        .testTarget(name: "TriageCoreTests", dependencies: ["TriageCore", "SnowballStemming"]),
        .testTarget(name: "TextSegmentationTests", dependencies: ["TextSegmentation", "TriageCore", "RuleFiles", "TriageTestSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "MailTextTests", dependencies: ["MailText", "MailParsing", "FormParsing", "LetterParsing", "TriageCore"]),
        .testTarget(name: "MailParsingTests", dependencies: ["MailParsing", "MailText", "TriageCore", "TriageIngest", "TriageTestSupport"]),
        .testTarget(name: "FormParsingTests", dependencies: ["FormParsing"]),
        .testTarget(name: "LetterParsingTests", dependencies: ["LetterParsing", "MailText", "TriageTestSupport"]),
        .testTarget(
            name: "AttachmentReadingTests",
            dependencies: ["AttachmentReading", "TriageTestSupport", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .testTarget(name: "TriageIngestTests", dependencies: ["TriageIngest", "TriageCore"]),
        .testTarget(name: "RuleFilesTests", dependencies: ["RuleFiles", "TriageCore", "TriageIngest"]),
        .testTarget(name: "TriageStoreTests", dependencies: ["TriageStore", "TriageCore", "TriagePostgres"]),
        // The command line as a user meets it: help, exit codes, the JSON contract.
        .testTarget(name: "TriageCLITests", dependencies: ["triage", "TriageTestSupport"]),
        // Includes the poller's crash-safety tests, which run the built `triage` binary.
        .testTarget(name: "MailboxAccessTests", dependencies: ["MailboxAccess", "TriageCore", "TriageStore", "TriagePostgres", "triage", "TriageTestSupport"]),
        // Includes the pseudo-terminal and command-line tests, which run the built `triage` binary.
        .testTarget(
            name: "TriageReviewTests",
            dependencies: ["TriageReview", "TriageStore", "TriageCore", "TriageIngest", "RuleFiles", "triage", "TriageTestSupport"]
        ),
        // Runs the built `triage serve` on 127.0.0.1 against real stores (also under SIGTERM and SIGKILL).
        .testTarget(
            name: "TriageServeTests",
            dependencies: ["TriageServe", "TriageStore", "triage", "TriageTestSupport"]
        ),
        .testTarget(
            name: "TriageReclassifyTests",
            dependencies: ["TriageReclassify", "TriageApp", "TriageCore", "TriageIngest", "RuleFiles", "TriageStore", .product(name: "Yams", package: "Yams")]
        ),
        // The jobs on real components (a real store, a real Maildir), without the binary.
        .testTarget(
            name: "TriageAppTests",
            dependencies: ["TriageApp", "TriageCore", "TriageIngest", "TriageStore", "MailboxAccess", "RuleFiles", "TriageTestSupport",
                           "TriageReclassify", "TriageReview",
                           .product(name: "Logging", package: "swift-log")]
        ),
        // The reports' figures on a real store, personal data kept out, and the command line.
        .testTarget(
            name: "TriageReportsTests",
            dependencies: ["TriageReports", "TriageStore", "TriageCore", "TriageIngest", "RuleFiles", "triage", "TriageTestSupport"]
        ),
    ]
)
