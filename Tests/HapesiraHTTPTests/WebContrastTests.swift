import Foundation
import Testing

/// The pages' colours (the `:root` variables of `style.mustache`) against the backgrounds they are
/// used on meet WCAG 2.x AA for normal text: a contrast ratio of at least 4.5:1.
@Suite("Web colour contrast")
struct WebContrastTests {
    static let style: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/HapesiraHTTP/Web/Templates/style.mustache")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    /// `--name: #rrggbb` declarations.
    static let colours: [String: String] = Dictionary(
        Self.style.matches(of: /--([a-z]+):\s*(#[0-9a-fA-F]{6})/).map { (String($0.output.1), String($0.output.2)) }
    ) { first, _ in first }

    /// WCAG relative luminance of `#rrggbb`.
    static func luminance(_ hex: String) -> Double {
        let value = Int(hex.dropFirst(), radix: 16) ?? 0
        let channels = [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff].map { Double($0) / 255 }
        let linear = channels.map { $0 <= 0.039_28 ? $0 / 12.92 : pow(($0 + 0.055) / 1.055, 2.4) }
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    }

    static func ratio(_ a: String, _ b: String) -> Double {
        let (x, y) = (luminance(a), luminance(b))
        return (max(x, y) + 0.05) / (min(x, y) + 0.05)
    }

    @Test("the formula: black on white is 21:1, a colour on itself 1:1")
    func formula() {
        #expect(abs(Self.ratio("#000000", "#ffffff") - 21) < 0.001)
        #expect(Self.ratio("#0b5cad", "#0b5cad") == 1)
        #expect(Self.ratio("#777777", "#ffffff") < 4.5, "a grey that fails AA")
    }

    @Test(
        "every text colour on every background it is used on is at least 4.5:1",
        arguments: [
            ("ink", "bg"), ("ink", "soft"), ("muted", "bg"), ("muted", "soft"), ("accent", "bg"),
            ("accent", "soft"), ("bad", "bg"), ("bad", "soft"), ("good", "bg"), ("good", "soft"),
        ])
    func contrast(_ text: String, _ background: String) throws {
        let foreground = try #require(Self.colours[text], "--\(text) in style.mustache")
        let back = try #require(Self.colours[background], "--\(background) in style.mustache")
        #expect(Self.ratio(foreground, back) >= 4.5, "--\(text) \(foreground) on --\(background) \(back)")
    }

    @Test("white button text on the accent and the danger colour is at least 4.5:1")
    func buttons() throws {
        for name in ["accent", "bad"] {
            let colour = try #require(Self.colours[name])
            #expect(Self.ratio("#ffffff", colour) >= 4.5, "white on --\(name) \(colour)")
        }
    }
}
