import Foundation

/// A token bucket per client: each client may post `burst` times at once,
/// then `perMinute` times a minute on average. Memory stays bounded: when
/// more than `maxClients` are tracked, those whose buckets have refilled are
/// forgotten (they would be allowed anyway).
public final class RateLimiter: @unchecked Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: TimeInterval
    }

    private let lock = NSLock()
    private var buckets: [String: Bucket] = [:]
    private let perSecond: Double
    private let burst: Double
    private let maxClients: Int

    /// Creates a limiter.
    /// - Parameters:
    ///   - perMinute: the average rate allowed per client.
    ///   - burst: how many posts a client may make at once.
    ///   - maxClients: how many clients to track before pruning full buckets.
    public init(perMinute: Double, burst: Double, maxClients: Int = 10_000) {
        self.perSecond = perMinute / 60
        self.burst = burst
        self.maxClients = maxClients
    }

    /// Takes one token for `client` if it has one.
    /// - Parameters:
    ///   - client: the client's address.
    ///   - now: seconds on a monotonic clock.
    /// - Returns: nil when allowed; else the seconds until a token is back (for Retry-After).
    public func take(_ client: String, now: TimeInterval = ProcessInfo.processInfo.systemUptime) -> TimeInterval? {
        lock.lock()
        defer { lock.unlock() }
        var bucket = buckets[client] ?? Bucket(tokens: burst, updated: now)
        bucket.tokens = min(burst, bucket.tokens + max(0, now - bucket.updated) * perSecond)
        bucket.updated = now
        let wait: TimeInterval?
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            wait = nil
        } else {
            wait = (1 - bucket.tokens) / perSecond
        }
        buckets[client] = bucket
        if buckets.count > maxClients { prune(now: now) }
        return wait
    }

    /// Forgets clients whose buckets are full again.
    private func prune(now: TimeInterval) {
        buckets = buckets.filter { _, b in b.tokens + (now - b.updated) * perSecond < burst }
    }
}

/// Who a request comes from, for the rate limit: the peer's address, or,
/// when the peer is a trusted reverse proxy, the last address it added to
/// `X-Forwarded-For`. Never logged.
enum ClientAddress {
    static func resolve(peer: String?, forwardedFor: String?, trustedProxies: [String]) -> String {
        let peer = peer ?? "unknown"
        guard trustedProxies.contains(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last ?? peer
    }
}
