import Foundation
import HapesiraCore
import Hummingbird

/// `POST /api/v1/bookings`.
struct CreateBookingBody: Decodable {
    var space: String
    var organisation: String?
    var title: String
    var category: String
    var start: String
    var end: String
    var recurrence: String?
    var seriesPolicy: SeriesPolicy?
    var visibility: Visibility?
    var expectedAttendance: Int?
    var description: String?
    var waitIfBusy: Bool?

    enum CodingKeys: String, CodingKey {
        case space, organisation, title, category, start, end, recurrence, visibility, description
        case seriesPolicy = "series_policy"
        case expectedAttendance = "expected_attendance"
        case waitIfBusy = "wait_if_busy"
    }
}

/// `PATCH /api/v1/bookings/{id}`: absent members stay as they are; `null` clears an optional one.
struct ChangeBookingBody: Decodable {
    var change = ChangeFields()

    struct ChangeFields {
        var title: String?
        var category: String?
        var description: String??
        var visibility: Visibility?
        var expectedAttendance: Int??
        var space: String?
        var start: String?
        var end: String?
        var recurrence: String??
        var seriesPolicy: SeriesPolicy?
    }

    enum CodingKeys: String, CodingKey {
        case title, category, description, visibility, space, start, end, recurrence
        case expectedAttendance = "expected_attendance"
        case seriesPolicy = "series_policy"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func clearable<T: Decodable>(_ key: CodingKeys) throws -> T?? {
            guard container.contains(key) else { return nil }
            return try container.decodeNil(forKey: key) ? .some(nil) : .some(try container.decode(T.self, forKey: key))
        }
        change.title = try container.decodeIfPresent(String.self, forKey: .title)
        change.category = try container.decodeIfPresent(String.self, forKey: .category)
        change.description = try clearable(.description)
        change.visibility = try container.decodeIfPresent(Visibility.self, forKey: .visibility)
        change.expectedAttendance = try clearable(.expectedAttendance)
        change.space = try container.decodeIfPresent(String.self, forKey: .space)
        change.start = try container.decodeIfPresent(String.self, forKey: .start)
        change.end = try container.decodeIfPresent(String.self, forKey: .end)
        change.recurrence = try clearable(.recurrence)
        change.seriesPolicy = try container.decodeIfPresent(SeriesPolicy.self, forKey: .seriesPolicy)
    }
}

/// The optional body of cancel, approve and decline.
struct ReasonBody: Decodable {
    var reason: String?
}

/// Reads JSON bodies and turns every decoding failure into an error that names the field.
struct BodyReader: Sendable {
    let maxBodyBytes: Int

    private static let allowedValues: [String: String] = [
        "series_policy": SeriesPolicy.allCases.map(\.rawValue).joined(separator: ", "),
        "visibility": Visibility.allCases.map(\.rawValue).joined(separator: ", "),
    ]

    /// The decoded body and its raw bytes. An empty body decodes as `{}` when `emptyAllowed`.
    func read<T: Decodable>(_ type: T.Type, from request: Request, emptyAllowed: Bool = false) async throws -> (T, Data)
    {
        var request = request
        if let contentType = request.headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(
                .unsupportedMediaType, "unsupported_media_type", "send the body as application/json",
                field: "Content-Type")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBodyBytes)
        } catch {
            throw APIError(
                .contentTooLarge, "body_too_large", "the request body is larger than the limit of \(maxBodyBytes) bytes"
            )
        }
        var data = Data(buffer.readableBytesView)
        if data.isEmpty {
            guard emptyAllowed else { throw APIError(.badRequest, "malformed_json", "the request needs a JSON body") }
            data = Data("{}".utf8)
        }
        do {
            return (try JSONDecoder().decode(T.self, from: data), data)
        } catch let error as DecodingError {
            throw Self.apiError(error)
        }
    }

    static func apiError(_ error: DecodingError) -> APIError {
        func name(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .invalid(name(context.codingPath + [key]), "\(name(context.codingPath + [key])) is required")
        case .valueNotFound(_, let context):
            return .invalid(name(context.codingPath), "\(name(context.codingPath)) must not be null")
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return APIError(.badRequest, "malformed_json", "the body must be a JSON object")
        case .typeMismatch(let type, let context):
            let expected =
                type == String.self
                ? "a string" : type == Int.self ? "a whole number" : type == Bool.self ? "true or false" : "\(type)"
            return .invalid(name(context.codingPath), "\(name(context.codingPath)) must be \(expected)")
        case .dataCorrupted(let context):
            let field = name(context.codingPath)
            if field.isEmpty { return APIError(.badRequest, "malformed_json", "the body is not valid JSON") }
            if let allowed = allowedValues[field] { return .invalid(field, "\(field) must be one of: \(allowed)") }
            return .invalid(field, "\(field) has an invalid value")
        @unknown default:
            return APIError(.badRequest, "malformed_json", "the body is not valid JSON")
        }
    }
}
