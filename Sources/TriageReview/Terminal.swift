#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

// State the signal handlers need: plain globals, written before the handlers
// are installed and read only by them.
nonisolated(unsafe) private var savedTermios = termios()
nonisolated(unsafe) private var rawModeActive: sig_atomic_t = 0
nonisolated(unsafe) private var resizePending: sig_atomic_t = 0

/// Bytes that put the terminal back: leave the alternate screen, show the cursor, reset colours.
private let restoreSequence: [UInt8] = Array("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l".utf8)

private func restoreTerminalNow() {
    if rawModeActive != 0 {
        _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &savedTermios)
        restoreSequence.withUnsafeBufferPointer { p in _ = write(STDOUT_FILENO, p.baseAddress, p.count) }
        rawModeActive = 0
    }
}

/// The interactive review on a real terminal: raw mode through termios
/// (restored on exit, on Ctrl-C and on SIGTERM/SIGHUP), the size through
/// TIOCGWINSZ, redrawn on SIGWINCH. Each action is committed by the service
/// before the next key is read, so quitting at any moment loses nothing done.
public struct TerminalSession {
    public let service: ReviewService
    public let actor: String
    public let filter: ReviewFilter
    /// Colour on (nil: when standard output is a terminal, `TERM` is not `dumb` and `NO_COLOR` is unset).
    public let colour: Bool?

    /// Creates a session.
    public init(service: ReviewService, actor: String, filter: ReviewFilter, colour: Bool? = nil) {
        self.service = service
        self.actor = actor
        self.filter = filter
        self.colour = colour
    }

    /// What a session did.
    public struct Summary: Sendable, Equatable {
        public var accepted: Int
        public var overridden: Int
        public var remaining: Int
        /// False when the queue was empty and the screen was never opened.
        public var opened: Bool
    }

    /// True when both standard input and standard output are terminals.
    public static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

    /// Whether to use colour when not told.
    public static var colourByDefault: Bool {
        let env = ProcessInfo.processInfo.environment
        return isatty(STDOUT_FILENO) == 1 && env["NO_COLOR"] == nil && env["TERM"] != "dumb"
    }

    /// The terminal's size (80×24 when it cannot be read).
    public static func currentSize() -> TerminalSize {
        var ws = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0 {
            return TerminalSize(columns: Int(ws.ws_col), rows: Int(ws.ws_row))
        }
        return TerminalSize(columns: 80, rows: 24)
    }

    /// Runs the screen until the caseworker quits.
    /// - Returns: how many items were accepted and overridden.
    /// - Throws: ``ReviewError`` when not on a terminal; storage errors while loading the queue.
    public func run() throws -> Summary {
        guard Self.isInteractive else {
            throw ReviewError("triage review needs a terminal; in scripts use `triage review list`, `accept` or `override`")
        }
        let queue = try service.queue(filter)
        if queue.isEmpty { return Summary(accepted: 0, overridden: 0, remaining: 0, opened: false) }
        var choices: [String: OverrideChoices] = [:]
        for (id, p) in service.profiles { choices[id] = OverrideChoices(profile: p) }
        var screen = ReviewScreen(items: queue, choices: choices, actor: actor, size: Self.currentSize())
        let renderer = ReviewRenderer(colour: colour ?? Self.colourByDefault)

        try enterRawMode()
        defer { restoreTerminalNow() }

        var decoder = KeyDecoder()
        var buffer = [UInt8](repeating: 0, count: 512)
        var lastDrawn: [String] = []
        loop: while true {
            // SIGWINCH sets the flag; the size is also checked on every pass, for
            // terminals whose resize signal does not reach us.
            let size = Self.currentSize()
            if resizePending != 0 || size != screen.size {
                resizePending = 0
                screen.resize(size)
                lastDrawn = []
            }
            let frame = renderer.frame(screen)
            screen.clampScroll(to: frame.maxScroll)
            if frame.lines != lastDrawn {
                draw(frame.lines)
                lastDrawn = frame.lines
            }
            var pfd = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, decoder.hasPending ? 40 : 250)
            var keys: [Key] = []
            if ready < 0 {
                if errno == EINTR { continue }
                break loop
            } else if ready == 0 {
                keys = decoder.flush()
            } else {
                let n = read(STDIN_FILENO, &buffer, buffer.count)
                if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if n <= 0 { break loop }   // the terminal went away
                keys = decoder.feed(buffer[0..<n])
            }
            for key in keys {
                for command in screen.handle(key) {
                    switch command {
                    case .quit: break loop
                    case .reload:
                        do { screen.reload(try service.queue(filter)) } catch { screen.reloadFailed("\(error)") }
                    case .perform(let request):
                        let shown = screen.items.first { $0.id == request.itemID }
                        let result = perform(request, shown: shown)
                        if case .failure = result, let fresh = try? service.backend.item(request.itemID) {
                            screen.refresh(fresh)   // show what it is now
                        }
                        screen.completed(request, result: result)
                    }
                }
            }
        }
        restoreTerminalNow()
        let remaining = screen.items.filter { !screen.actedOn.contains($0.id) && $0.needsReview }.count
        return Summary(accepted: screen.acceptedCount, overridden: screen.overriddenCount, remaining: remaining, opened: true)
    }

    func perform(_ request: ScreenRequest, shown: ReviewItem?) -> Result<ReviewItem, ReviewError> {
        do {
            switch request {
            case .accept(let id, let note):
                return .success(try service.accept(id, note: note, actor: actor, shown: shown))
            case .override(let id, let outcome, let handler, let because, let subject, let reason):
                return .success(try service.override(id, outcome: outcome, handler: handler, subject: subject, reasons: because,
                                                     reason: reason, actor: actor, shown: shown))
            }
        } catch let e as ReviewError {
            return .failure(e)
        } catch {
            return .failure(ReviewError(String(describing: error)))
        }
    }

    func enterRawMode() throws {
        guard tcgetattr(STDIN_FILENO, &savedTermios) == 0 else { throw ReviewError("cannot read the terminal's settings") }
        var raw = savedTermios
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_oflag &= ~tcflag_t(OPOST)
        raw.c_cflag |= tcflag_t(CS8)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        rawModeActive = 1
        atexit { restoreTerminalNow() }
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
            signal(sig) { s in
                restoreTerminalNow()
                _exit(128 + s)
            }
        }
        signal(SIGWINCH) { _ in resizePending = 1 }
        // A parent may have left these blocked (signal masks survive exec): unblock them.
        var set = sigset_t()
        sigemptyset(&set)
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH] { sigaddset(&set, sig) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0 else {
            rawModeActive = 0
            throw ReviewError("cannot put the terminal in raw mode")
        }
        writeOut("\u{1B}[?1049h\u{1B}[?25l\u{1B}[2J")
    }

    func draw(_ lines: [String]) {
        var out = "\u{1B}[H"
        for (i, line) in lines.enumerated() {
            out += line + "\u{1B}[0m\u{1B}[K"
            if i < lines.count - 1 { out += "\r\n" }
        }
        writeOut(out)
    }

    func writeOut(_ s: String) {
        var bytes = Array(s.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBufferPointer { p -> Int in
                guard let base = p.baseAddress else { return -1 }
                return write(STDOUT_FILENO, base + offset, p.count - offset)
            }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return
            }
            offset += n
        }
    }
}
