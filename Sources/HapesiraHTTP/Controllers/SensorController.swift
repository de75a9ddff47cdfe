import HapesiraCore
import HapesiraStore
import Hummingbird

/// The configured sensors and their health, for managers (which are offline, which need batteries).
struct SensorController: Sendable {
    let sensors: [SensorBinding]
    let journal: SensorJournal
    let now: @Sendable () -> Int64

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("sensors") { request, context in
            _ = try context.requireCaller()
            let space = request.uri.queryParameters.get("space")
            let health = try await journal.health()
            let now = now()
            return JSONResponse.items(
                sensors.filter { space == nil || $0.space == space }.map { view($0, health[$0.id], now: now) })
        }
    }

    /// `online`, `offline` (it said so), `silent` (nothing heard for two heartbeats) or `never-seen`.
    static func status(_ sensor: SensorBinding, _ health: SensorHealth?, now: Int64) -> String {
        guard let health else { return "never-seen" }
        if health.online == false { return "offline" }
        if let heartbeat = sensor.settings.heartbeat, now - health.lastSeen > 2 * heartbeat { return "silent" }
        return "online"
    }

    private func view(_ sensor: SensorBinding, _ health: SensorHealth?, now: Int64) -> JSONValue {
        let decoder: String =
            switch sensor.decoder.format {
            case .preset(let preset): preset.rawValue
            case .generic: "generic"
            }
        return .object([
            "id": .string(sensor.id), "space": .string(sensor.space), "kind": .string(sensor.kind.rawValue),
            "decoder": .string(decoder), "topic": .string(sensor.topic.description),
            "status": .string(Self.status(sensor, health, now: now)),
            "last_seen": health.map { .string(TimeInput.format($0.lastSeen, in: .utc)) } ?? .null,
            "last_event": health?.lastEvent.map { .string(TimeInput.format($0, in: .utc)) } ?? .null,
            "battery": .optional(health?.battery),
        ])
    }
}
