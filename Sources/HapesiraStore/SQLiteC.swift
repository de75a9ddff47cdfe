import GRDB
import GRDBSQLite

/// The few calls of SQLite's C API that the hot paths use directly — the sensor inbox's insert, the booking
/// request's queries and inserts, the bearer token lookup — where GRDB's per-statement bookkeeping would cost
/// as much as SQLite's work.
enum SQLiteC {
    /// SQLITE_TRANSIENT: SQLite copies the bound bytes before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds text, or leaves the parameter NULL for nil.
    static func bind(_ statement: OpaquePointer?, _ index: Int32, _ value: String?) {
        guard let value else { return }
        sqlite3_bind_text(statement, index, value, -1, transient)
    }

    /// Binds an integer, or leaves the parameter NULL for nil.
    static func bind(_ statement: OpaquePointer?, _ index: Int32, _ value: Int64?) {
        guard let value else { return }
        sqlite3_bind_int64(statement, index, value)
    }

    /// A parameter of `execute(_:in:_:)`: NULL when nil.
    enum Value {
        case text(String?)
        case integer(Int64?)

        static func boolean(_ value: Bool) -> Value { .integer(value ? 1 : 0) }
    }

    /// Runs GRDB's cached statement for `sql` once, to completion, with `values` as its parameters in order.
    static func execute(_ sql: String, in db: Database, _ values: [Value]) throws {
        let bindAll = { (statement: OpaquePointer?) in
            for (offset, value) in values.enumerated() {
                switch value {
                case .text(let text): bind(statement, Int32(offset + 1), text)
                case .integer(let number): bind(statement, Int32(offset + 1), number)
                }
            }
        }
        _ = try rows(sql, in: db, bind: bindAll) { _ -> Never? in nil }
    }

    /// The rows of GRDB's cached statement for `sql`, with the parameters `bind` sets, each read by `read`
    /// (columns by index); rows for which `read` answers nil are left out.
    static func rows<T>(
        _ sql: String, in db: Database, bind: (OpaquePointer?) -> Void, read: (OpaquePointer?) -> T?
    ) throws -> [T] {
        let statement = try db.cachedStatement(sql: sql).sqliteStatement
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        bind(statement)
        var result: [T] = []
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return result }
            guard code == SQLITE_ROW else { throw error(code, on: db.sqliteConnection, sql: sql) }
            if let value = read(statement) { result.append(value) }
        }
    }

    /// A text column of the current row ("" for NULL).
    static func text(_ statement: OpaquePointer?, _ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement, column) else { return "" }
        return String(cString: bytes)
    }

    /// A text column of the current row, nil for NULL.
    static func optionalText(_ statement: OpaquePointer?, _ column: Int32) -> String? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : text(statement, column)
    }

    /// An integer column of the current row, nil for NULL.
    static func optionalInt64(_ statement: OpaquePointer?, _ column: Int32) -> Int64? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, column)
    }

    /// The error for result `code` on `connection`.
    static func error(_ code: Int32, on connection: OpaquePointer?, sql: String? = nil) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }
}
