import Foundation

/// A bounded parallel map that keeps input order: one reader thread pulls
/// inputs, `jobs` worker threads transform them, and the calling thread
/// receives the outputs strictly in input order.
///
/// At most `window` inputs are in flight (read but not yet emitted), so memory
/// stays flat however long the input is, and the output is identical whatever
/// the number of jobs.
public enum OrderedPipeline {
    /// Runs the pipeline to the end of `source`.
    /// - Parameters:
    ///   - source: the inputs; iterated on a separate reader thread, one at a time.
    ///   - jobs: worker threads (at least 1).
    ///   - window: inputs in flight at most (default: 64 per job, at least 16).
    ///   - transform: the work for one input; runs on a worker thread.
    ///   - emit: receives each output, in input order, on the calling thread.
    ///     Throwing stops the run (the reader and workers wind down) and rethrows.
    public static func run<Source: IteratorProtocol, Output: Sendable>(
        source: Source,
        jobs: Int,
        window: Int? = nil,
        transform: @escaping @Sendable (Source.Element) -> Output,
        emit: (Output) throws -> Void
    ) throws where Source.Element: Sendable {
        let jobs = max(1, jobs)
        let window = max(2, window ?? max(16, jobs * 64))
        let state = PipelineState<Source.Element, Output>(window: window)
        // Only the reader thread pulls from the source.
        var source = source
        let pull = UncheckedBox<() -> Source.Element?>({ source.next() })

        let readerThread = Thread {
            while true {
                if state.isCancelled { break }
                guard let input = pull.value() else { break }
                guard state.put(input) else { break }
            }
            state.finishReading()
        }
        readerThread.stackSize = 1 << 20
        readerThread.start()

        for _ in 0..<jobs {
            let worker = Thread {
                while let (sequence, input) = state.take() {
                    let output = transform(input)
                    state.complete(sequence, output)
                }
            }
            worker.stackSize = 8 << 20
            worker.start()
        }

        var failure: Error?
        while let output = state.nextInOrder() {
            do { try emit(output) } catch {
                failure = error
                state.cancel()
                break
            }
        }
        state.waitForThreads(workers: jobs)
        if let failure { throw failure }
    }
}

/// Shared state of one pipeline run: one lock, and a condition for each kind
/// of waiter (workers wait for input, the reader for room in the window, the
/// calling thread for the next output in order), so that each event wakes only
/// a thread that can act on it. The reader, once the window is full, is woken
/// again only when half of it has been emitted, and then reads a batch.
private final class PipelineState<Input, Output>: @unchecked Sendable {
    private let lock = PipelineLock()
    private let inputReady: PipelineCondition
    private let roomReady: PipelineCondition
    private let outputReady: PipelineCondition
    private let window: Int
    private var queue: [(Int, Input)] = []
    private var queueHead = 0
    /// Outputs not yet emitted, at their sequence number modulo the window
    /// (at most `window` are in flight, so no two share a slot).
    private var results: [Output?]
    private var readCount = 0
    private var emittedCount = 0
    private var readingDone = false
    private var cancelled = false
    private var workersDone = 0
    private var readerExited = false
    private var readerWaiting = false

    init(window: Int) {
        self.window = window
        inputReady = PipelineCondition(lock)
        roomReady = PipelineCondition(lock)
        outputReady = PipelineCondition(lock)
        results = Array(repeating: nil, count: window)
        queue.reserveCapacity(window)
    }

    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    /// Adds an input, waiting while the window is full. False when cancelled.
    func put(_ input: Input) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        while readCount - emittedCount >= window && !cancelled {
            readerWaiting = true
            roomReady.wait()
            readerWaiting = false
        }
        if cancelled { return false }
        queue.append((readCount, input))
        readCount += 1
        inputReady.signal()
        return true
    }

    func finishReading() {
        lock.lock()
        readingDone = true
        readerExited = true
        inputReady.broadcast()
        outputReady.broadcast()
        lock.unlock()
    }

    /// The next input for a worker, or nil when there is nothing more to do.
    func take() -> (Int, Input)? {
        lock.lock()
        defer { lock.unlock() }
        while true {
            if cancelled { break }
            if queueHead < queue.count {
                let item = queue[queueHead]
                queueHead += 1
                if queueHead > 1024 && queueHead * 2 > queue.count {
                    queue.removeFirst(queueHead)
                    queueHead = 0
                }
                return item
            }
            if readingDone { break }
            inputReady.wait()
        }
        workersDone += 1
        outputReady.broadcast()
        return nil
    }

    func complete(_ sequence: Int, _ output: Output) {
        lock.lock()
        results[sequence % window] = output
        if sequence == emittedCount { outputReady.signal() }
        lock.unlock()
    }

    /// The next output in input order, waiting for it; nil at the end.
    func nextInOrder() -> Output? {
        lock.lock()
        defer { lock.unlock() }
        while true {
            if emittedCount < readCount, let output = results[emittedCount % window] {
                results[emittedCount % window] = nil
                emittedCount += 1
                if readerWaiting && readCount - emittedCount <= window / 2 { roomReady.signal() }
                return output
            }
            if cancelled || (readingDone && emittedCount == readCount) { return nil }
            outputReady.wait()
        }
    }

    func cancel() {
        lock.lock()
        cancelled = true
        inputReady.broadcast()
        roomReady.broadcast()
        outputReady.broadcast()
        lock.unlock()
    }

    /// Waits until the reader and every worker have stopped.
    func waitForThreads(workers: Int) {
        lock.lock()
        while !(readerExited && workersDone >= workers) { outputReady.wait() }
        lock.unlock()
    }
}

/// A pthread mutex on the heap (its address must not move).
private final class PipelineLock: @unchecked Sendable {
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    init() { pthread_mutex_init(mutex, nil) }
    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }
    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
}

/// A pthread condition variable used with one ``PipelineLock``.
private final class PipelineCondition: @unchecked Sendable {
    private let lock: PipelineLock
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    init(_ lock: PipelineLock) {
        self.lock = lock
        pthread_cond_init(condition, nil)
    }
    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
    }
    /// Waits; the lock must be held.
    func wait() { pthread_cond_wait(condition, lock.mutex) }
    func signal() { pthread_cond_signal(condition) }
    func broadcast() { pthread_cond_broadcast(condition) }
}

/// Moves a non-Sendable value to the one thread that uses it.
struct UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
