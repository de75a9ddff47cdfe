import HapesiraCore
import Testing

@Suite("Interval")
struct IntervalTests {
    struct OverlapCase: Sendable, CustomTestStringConvertible {
        var a: (Int64, Int64)
        var b: (Int64, Int64)
        var overlaps: Bool
        var testDescription: String { "\(a) vs \(b)" }
    }

    @Test(
        "overlaps is symmetric and touching intervals do not overlap",
        arguments: [
            OverlapCase(a: (10, 20), b: (20, 30), overlaps: false),
            OverlapCase(a: (10, 20), b: (0, 10), overlaps: false),
            OverlapCase(a: (10, 20), b: (19, 30), overlaps: true),
            OverlapCase(a: (10, 20), b: (0, 11), overlaps: true),
            OverlapCase(a: (10, 20), b: (12, 18), overlaps: true),
            OverlapCase(a: (10, 20), b: (0, 30), overlaps: true),
            OverlapCase(a: (10, 20), b: (10, 20), overlaps: true),
            OverlapCase(a: (10, 20), b: (25, 30), overlaps: false),
        ])
    func overlaps(_ c: OverlapCase) {
        let a = Interval(start: c.a.0, end: c.a.1)
        let b = Interval(start: c.b.0, end: c.b.1)
        #expect(a.overlaps(b) == c.overlaps)
        #expect(b.overlaps(a) == c.overlaps)
        #expect((a.intersection(b) != nil) == c.overlaps)
    }

    @Test func intersectionContainsWidenedShifted() {
        let a = Interval(start: 10, end: 20)
        #expect(a.intersection(Interval(start: 15, end: 40)) == Interval(start: 15, end: 20))
        #expect(a.intersection(Interval(start: 20, end: 40)) == nil)
        #expect(a.contains(Interval(start: 10, end: 20)))
        #expect(a.contains(Interval(start: 12, end: 13)))
        #expect(!a.contains(Interval(start: 9, end: 13)))
        #expect(!a.contains(Interval(start: 12, end: 21)))
        #expect(a.widened(before: 3, after: 5) == Interval(start: 7, end: 25))
        #expect(a.shifted(by: -10) == Interval(start: 0, end: 10))
        #expect(a.duration == 10)
        #expect(Interval(start: 20, end: 10).duration == 0)
        #expect(Interval(start: 20, end: 10).isEmpty)
        #expect(Interval(start: 20, end: 20).isEmpty)
        #expect(!a.isEmpty)
    }

    struct MergeCase: Sendable, CustomTestStringConvertible {
        var input: [(Int64, Int64)]
        var merged: [(Int64, Int64)]
        var testDescription: String { "\(input)" }
    }

    @Test(
        "merged sorts, joins overlapping and touching intervals and drops empty ones",
        arguments: [
            MergeCase(input: [], merged: []),
            MergeCase(input: [(30, 40), (10, 20)], merged: [(10, 20), (30, 40)]),
            MergeCase(input: [(10, 20), (20, 30)], merged: [(10, 30)]),
            MergeCase(input: [(10, 20), (15, 30), (29, 35)], merged: [(10, 35)]),
            MergeCase(input: [(10, 50), (20, 30)], merged: [(10, 50)]),
            MergeCase(input: [(40, 50), (10, 20), (18, 25), (5, 6)], merged: [(5, 6), (10, 25), (40, 50)]),
            MergeCase(input: [(10, 10), (30, 20), (1, 2)], merged: [(1, 2)]),
            MergeCase(input: [(10, 20), (21, 30)], merged: [(10, 20), (21, 30)]),
        ])
    func merged(_ c: MergeCase) {
        let input = c.input.map { Interval(start: $0.0, end: $0.1) }
        #expect(input.merged() == c.merged.map { Interval(start: $0.0, end: $0.1) })
    }

    struct ComplementCase: Sendable, CustomTestStringConvertible {
        var busy: [(Int64, Int64)]
        var span: (Int64, Int64)
        var free: [(Int64, Int64)]
        var testDescription: String { "\(busy) within \(span)" }
    }

    @Test(
        "complement is the span minus every busy interval",
        arguments: [
            ComplementCase(busy: [], span: (0, 100), free: [(0, 100)]),
            ComplementCase(busy: [(0, 100)], span: (0, 100), free: []),
            ComplementCase(busy: [(-50, 200)], span: (0, 100), free: []),
            ComplementCase(busy: [(20, 30)], span: (0, 100), free: [(0, 20), (30, 100)]),
            ComplementCase(
                busy: [(60, 70), (20, 30), (25, 40)], span: (0, 100), free: [(0, 20), (40, 60), (70, 100)]),
            ComplementCase(busy: [(-10, 10), (90, 110)], span: (0, 100), free: [(10, 90)]),
            ComplementCase(busy: [(100, 120), (-20, 0)], span: (0, 100), free: [(0, 100)]),
            ComplementCase(busy: [(20, 30), (30, 40)], span: (0, 100), free: [(0, 20), (40, 100)]),
        ])
    func complement(_ c: ComplementCase) {
        let busy = c.busy.map { Interval(start: $0.0, end: $0.1) }
        let span = Interval(start: c.span.0, end: c.span.1)
        let free = busy.complement(within: span)
        #expect(free == c.free.map { Interval(start: $0.0, end: $0.1) })
        // Free and busy never overlap, and together they cover the span.
        for f in free { #expect(!busy.contains { $0.overlaps(f) }) }
        let covered = (free + busy.compactMap { $0.intersection(span) }).merged()
        #expect(covered == [span] || (span.isEmpty && covered.isEmpty))
    }

    @Test func ordering() {
        #expect(Interval(start: 1, end: 5) < Interval(start: 2, end: 3))
        #expect(Interval(start: 1, end: 3) < Interval(start: 1, end: 5))
        #expect(!(Interval(start: 1, end: 5) < Interval(start: 1, end: 5)))
    }
}
