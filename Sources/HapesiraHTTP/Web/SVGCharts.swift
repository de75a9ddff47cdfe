import Foundation

/// The geometry of the report page's charts (inline SVG drawn by `reports.mustache`): plain
/// numbers, so the template only places shapes.
enum SVGCharts {
    /// Two bars per group (booked and used hours), scaled to the largest value.
    static func bars(_ groups: [(label: String, booked: Double, used: Double)]) -> [String: Any] {
        let left = 200.0
        let span = 460.0
        let bar = 10.0
        let step = 30.0
        let largest = max(groups.map { max($0.booked, $0.used) }.max() ?? 0, 1)
        let items = groups.enumerated().map { index, group -> [String: Any] in
            let top = 6 + Double(index) * step
            return [
                "label": group.label, "textY": format(top + 14), "bookedY": format(top), "usedY": format(top + bar + 1),
                "bookedWidth": format(span * group.booked / largest), "usedWidth": format(span * group.used / largest),
                "bookedText": String(format: "%.2f", group.booked), "usedText": String(format: "%.2f", group.used),
                "valueX": format(left + span + 8),
            ]
        }
        return [
            "items": items, "left": format(left), "bar": format(bar), "width": 820,
            "height": format(12 + Double(groups.count) * step),
        ]
    }

    /// A 7 × 24 grid of the used hours summed over the table's groups, shaded by the largest cell.
    static func heatMap(_ table: ReportTable, weekdays: [String]) -> [String: Any] {
        let cell = 22.0
        let left = 44.0
        let top = 20.0
        var hours = Array(repeating: Array(repeating: 0.0, count: 24), count: 7)
        for row in table.rows {
            guard case .int(let weekday) = row[1] else { continue }
            for hour in 0..<24 {
                if case .number(let value?, _) = row[2 + hour] { hours[weekday - 1][hour] += value }
            }
        }
        let largest = max(hours.flatMap { $0 }.max() ?? 0, 0.0001)
        return [
            "cell": format(cell - 2), "width": format(left + 24 * cell), "height": format(top + 7 * cell),
            "hours": stride(from: 0, to: 24, by: 3).map {
                ["x": format(left + Double($0) * cell + cell / 2), "label": "\($0)"]
            },
            "days": (0..<7).map { day -> [String: Any] in
                let y = top + Double(day) * cell
                return [
                    "label": weekdays[day], "textY": format(y + 15),
                    "cells": (0..<24).map { hour -> [String: Any] in
                        let value = hours[day][hour]
                        return [
                            "x": format(left + Double(hour) * cell), "y": format(y),
                            "opacity": String(format: "%.3f", value > 0 ? 0.08 + 0.92 * value / largest : 0),
                            "title": String(format: "%@ %02d:00 — %.2f h", weekdays[day], hour, value),
                        ]
                    },
                ]
            },
        ]
    }

    /// One bar per organisation: its share of all booked hours in the table.
    static func shares(_ table: ReportTable, label: (String) -> String) -> [String: Any] {
        var booked: [String: Double] = [:]
        for row in table.rows {
            if case .text(let key) = row[1], case .number(let hours?, _) = row[2] { booked[key, default: 0] += hours }
        }
        let total = booked.values.reduce(0, +)
        let left = 200.0
        let span = 460.0
        let bar = 14.0
        let step = 22.0
        let items = booked.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.enumerated().map {
            index, entry -> [String: Any] in
            let share = total > 0 ? entry.value / total : 0
            let top = 4 + Double(index) * step
            return [
                "label": label(entry.key), "y": format(top), "textY": format(top + 12),
                "width": format(span * share), "percent": String(format: "%.2f %%", share * 100),
                "valueX": format(left + span * share + 8),
            ]
        }
        return [
            "items": items, "left": format(left), "bar": format(bar), "width": 820,
            "height": format(8 + Double(items.count) * step),
        ]
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
