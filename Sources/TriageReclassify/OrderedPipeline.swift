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

/// Shared state of one pipeline run, behind one condition variable.
private final class PipelineState<Input, Output>: @unchecked Sendable {
    private let condition = NSCondition()
    private let window: Int
    private var queue: [(Int, Input)] = []
    private var queueHead = 0
    private var results: [Int: Output] = [:]
    private var readCount = 0
    private var emittedCount = 0
    private var readingDone = false
    private var cancelled = false
    private var workersDone = 0
    private var readerExited = false

    init(window: Int) {
        self.window = window
        queue.reserveCapacity(window)
    }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Adds an input, waiting while the window is full. False when cancelled.
    func put(_ input: Input) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while readCount - emittedCount >= window && !cancelled { condition.wait() }
        if cancelled { return false }
        queue.append((readCount, input))
        readCount += 1
        condition.broadcast()
        return true
    }

    func finishReading() {
        condition.lock()
        readingDone = true
        readerExited = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next input for a worker, or nil when there is nothing more to do.
    func take() -> (Int, Input)? {
        condition.lock()
        defer { condition.unlock() }
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
            condition.wait()
        }
        workersDone += 1
        condition.broadcast()
        return nil
    }

    func complete(_ sequence: Int, _ output: Output) {
        condition.lock()
        results[sequence] = output
        condition.broadcast()
        condition.unlock()
    }

    /// The next output in input order, waiting for it; nil at the end.
    func nextInOrder() -> Output? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let output = results.removeValue(forKey: emittedCount) {
                emittedCount += 1
                condition.broadcast()
                return output
            }
            if cancelled || (readingDone && emittedCount == readCount) { return nil }
            condition.wait()
        }
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the reader and every worker have stopped.
    func waitForThreads(workers: Int) {
        condition.lock()
        while !(readerExited && workersDone >= workers) { condition.wait() }
        condition.unlock()
    }
}

/// Moves a non-Sendable value to the one thread that uses it.
struct UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
