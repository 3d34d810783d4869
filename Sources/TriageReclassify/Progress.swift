import Foundation

/// A one-line progress bar on standard error: count, rate and ETA. Draws at
/// most a few times a second, and only when told standard error is a terminal.
public final class ProgressMeter {
    private let totalBytes: Int64
    private let enabled: Bool
    private let started = Date()
    private var lastDraw = Date.distantPast
    private var items = 0
    private var failed = 0
    private var bytes: Int64 = 0

    /// - Parameters:
    ///   - totalBytes: the archives' size (for the bar and the ETA; 0 if unknown).
    ///   - enabled: draw at all (pass `isatty(2) == 1`).
    public init(totalBytes: Int64, enabled: Bool) {
        self.totalBytes = totalBytes
        self.enabled = enabled
    }

    /// Counts one item.
    public func advance(bytes: Int, failed: Bool) {
        items += 1
        if failed { self.failed += 1 }
        self.bytes += Int64(bytes)
        guard enabled else { return }
        let now = Date()
        if now.timeIntervalSince(lastDraw) >= 0.2 {
            lastDraw = now
            draw(now: now)
        }
    }

    /// Clears the line (at the end of the run).
    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }

    private func draw(now: Date) {
        let line = Self.line(items: items, failed: failed, bytes: bytes, totalBytes: totalBytes, elapsed: now.timeIntervalSince(started))
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
    }

    /// The progress line for these counts (pure; tested).
    public static func line(items: Int, failed: Int, bytes: Int64, totalBytes: Int64, elapsed: TimeInterval) -> String {
        let rate = elapsed > 0 ? Double(items) / elapsed : 0
        let mbRate = elapsed > 0 ? Double(bytes) / 1_048_576 / elapsed : 0
        var s = ""
        if totalBytes > 0 {
            let fraction = min(1, Double(bytes) / Double(totalBytes))
            let width = 24
            let filled = Int(fraction * Double(width))
            s += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            s += String(format: "%3ld%% ", Int(fraction * 100))
        }
        s += "\(items) items"
        if failed > 0 { s += " (\(failed) unreadable)" }
        s += String(format: " · %.0f/s · %.1f MB/s", rate, mbRate)
        if totalBytes > 0, bytes > 0, elapsed > 0 {
            let remaining = max(0, Double(totalBytes - bytes)) / (Double(bytes) / elapsed)
            s += " · ETA " + duration(remaining)
        }
        return s
    }

    /// `m:ss` or `h:mm:ss`.
    public static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let h = total / 3600, m = (total % 3600) / 60, sec = total % 60
        return h > 0 ? String(format: "%ld:%02ld:%02ld", h, m, sec) : String(format: "%ld:%02ld", m, sec)
    }
}
