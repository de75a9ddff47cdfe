import HapesiraCore
import HapesiraStore
import Hummingbird

/// Secret links to an organisation's private feed: created, listed and revoked by the
/// organisation itself (or an admin).
struct FeedTokenController: Sendable {
    let tokens: FeedTokenStore
    let catalogue: Catalogue
    let body: BodyReader
    let now: @Sendable () -> Int64

    private struct CreateBody: Decodable {
        var label: String?
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("organisations/{id}/feed-tokens") { request, context in
            let organisation = try authorised(context)
            let label = try await body.read(CreateBody.self, from: request, emptyAllowed: true).0.label
            if let label, label.count > 200 { throw APIError.invalid("label", "at most 200 characters") }
            let (info, token) = try await tokens.create(organisation: organisation, label: label, now: now())
            var view = Self.view(info)
            if case .object(var object) = view {
                object["token"] = .string(token)
                object["path"] = .string("/ical/orgs/\(organisation)/\(token).ics")
                view = .object(object)
            }
            return JSONResponse.make(view, status: .created)
        }
        group.get("organisations/{id}/feed-tokens") { _, context in
            let organisation = try authorised(context)
            return JSONResponse.items(try await tokens.list(organisation: organisation).map(Self.view))
        }
        group.delete("organisations/{id}/feed-tokens/{token}") { _, context in
            let organisation = try authorised(context)
            let id = context.parameters.get("token") ?? ""
            guard try await tokens.revoke(id: id, organisation: organisation, now: now()) else {
                throw APIError.notFound("feed token", id)
            }
            return Response(status: .noContent)
        }
    }

    /// The organisation of the path, when the caller belongs to it or is an admin.
    private func authorised(_ context: AppRequestContext) throws -> String {
        let caller = try context.requireCaller()
        let id = context.parameters.get("id") ?? ""
        guard catalogue.organisation(id) != nil else { throw APIError.notFound("organisation", id) }
        guard caller.organisation == id || caller.role == .admin else {
            throw APIError(.forbidden, "forbidden", "only \(id) itself (or an admin) manages its feed links")
        }
        return id
    }

    private static func view(_ info: FeedTokenInfo) -> JSONValue {
        .object([
            "id": .string(info.id), "organisation": .string(info.organisation), "label": .optional(info.label),
            "created_at": .string(TimeInput.format(info.createdAt, in: .utc)),
            "revoked_at": info.revokedAt.map { .string(TimeInput.format($0, in: .utc)) } ?? .null,
        ])
    }
}
