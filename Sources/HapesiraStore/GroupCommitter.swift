import Dispatch
import GRDB
import Synchronization

/// Runs write jobs in shared transactions: jobs that arrive while a commit is in flight are
/// batched into the next one, each in its own savepoint, so one fsync acknowledges many
/// requests while every job still sees the writes of those before it.
///
/// A job that arrives when no batch is running leads: it commits its own transaction on its own
/// thread (GRDB's blocking writer access) and returns without suspending, so a lone request costs no thread
/// hand-off and no savepoint. Jobs that arrived meanwhile are committed by a serial dispatch queue,
/// batch after batch, so the leader returns at once and at most one thread is ever blocked in a commit.
final class GroupCommitter: Sendable {
    private struct Job: Sendable {
        /// Runs the work inside the batch transaction; returns how to report the result after commit.
        let run: @Sendable (Database) -> @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
    }

    private struct State {
        var jobs: [Job] = []
        var draining = false
    }

    private let database: AppDatabase
    private let state = Mutex(State())
    private let commits = Atomic<UInt64>(0)
    private let queue = DispatchQueue(label: "hapesira.group-commit")

    init(database: AppDatabase) { self.database = database }

    /// How many batches have been committed: changes whenever the data may have changed.
    var committedBatches: UInt64 { commits.load(ordering: .acquiring) }

    /// Runs `work` in a transaction of its own when no batch is running, else in a savepoint of the next
    /// batch; returns once it is durably committed. A throwing job rolls back only its own writes.
    func perform<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let leads = state.withLock { state in
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
        if leads { return try lead(work) }
        return try await withCheckedThrowingContinuation { continuation in
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
            let startDraining = state.withLock { state in
                state.jobs.append(job)
                defer { state.draining = true }
                return !state.draining
            }
            if startDraining { drain() }
        }
    }

    /// Commits `work` alone in its own transaction, here and now; then hands the jobs that arrived meanwhile
    /// to the queue. A throwing job rolls back its transaction.
    private func lead<T>(_ work: (Database) throws -> T) throws -> T {
        defer { handOff() }
        let value = try database.write(inTransaction: work)
        commits.add(1, ordering: .releasing)
        return value
    }

    /// Ends a leader's turn: the queue commits the jobs that arrived meanwhile, if any.
    private func handOff() {
        let more = state.withLock { state in
            if state.jobs.isEmpty { state.draining = false }
            return state.draining
        }
        if more { queue.async { self.drain(onQueue: true) } }
    }

    /// Commits the waiting jobs as one batch; then, if more are waiting, continues on the queue
    /// (or in place when already there). Ends with `draining` false when no job is left.
    private func drain(onQueue: Bool = false) {
        while true {
            let batch = state.withLock { state in
                let batch = state.jobs
                state.jobs.removeAll(keepingCapacity: true)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let completions = try database.write(inTransaction: { db in batch.map { $0.run(db) } })
                commits.add(1, ordering: .releasing)
                for complete in completions { complete() }
            } catch {
                for job in batch { job.fail(error) }
            }
            if !onQueue { return handOff() }
        }
    }
}
