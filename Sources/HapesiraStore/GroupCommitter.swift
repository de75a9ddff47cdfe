import GRDB

/// Runs write jobs in shared transactions: jobs that arrive while a commit is in flight are
/// batched into the next one, each in its own savepoint, so one fsync acknowledges many
/// requests while every job still sees the writes of those before it.
actor GroupCommitter {
    private struct Job: Sendable {
        /// Runs the work inside the batch transaction; returns how to report the result after commit.
        let run: @Sendable (Database) -> @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
    }

    private let writer: any DatabaseWriter
    private var queue: [Job] = []
    private var draining = false

    init(writer: any DatabaseWriter) { self.writer = writer }

    /// Runs `work` in a savepoint of the next batch; returns once the batch is durably committed.
    /// A throwing job rolls back its own savepoint only.
    func perform<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job = Job(
                run: { db in
                    do {
                        var value: T?
                        try db.inSavepoint {
                            value = try work(db)
                            return .commit
                        }
                        let result = value!
                        return { continuation.resume(returning: result) }
                    } catch {
                        return { continuation.resume(throwing: error) }
                    }
                },
                fail: { continuation.resume(throwing: $0) })
            queue.append(job)
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            do {
                let completions = try await writer.write { db in batch.map { $0.run(db) } }
                for complete in completions { complete() }
            } catch {
                for job in batch { job.fail(error) }
            }
        }
        draining = false
    }
}
