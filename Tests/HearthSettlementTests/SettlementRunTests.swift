import Foundation
import HearthCore
import HearthSettlement
import HearthStore
import HearthTestSupport
import LibPQ
import Testing

@Suite("settlement run", .enabled(if: TestDatabase.isRequired))
struct SettlementRunTests {
    @Test("a run books every night once to the penny, and a second run books nothing")
    func bookOnceToThePenny() async throws {
        try await LedgerFixture.with { fixture in
            let placement = try fixture.placement(placing: bracknell, host: kent, weekly: 85_001, start: "2026-01-01")
            let first = try await fixture.settle(through: "2026-01-20")
            #expect(first.nightsBooked == 20)
            #expect(first.entriesBooked == 20)
            let second = try await fixture.settle(through: "2026-01-20")
            #expect(second.nightsBooked == 0)
            #expect(second.entriesBooked == 0)

            let booked = try fixture.bookedNights(placement)
            let expected = nights(from: "2026-01-01", count: 20)
            #expect(Set(booked.keys) == Set(expected.map(\.iso)))
            for night in expected {
                #expect(booked[night.iso] == NightlyCharge.pence(weeklyRatePence: 85_001, night: night))
            }
            for start in 0...13 {
                let week = expected[start..<(start + 7)].reduce(Int64(0)) { $0 + booked[$1.iso]! }
                #expect(week == 85_001)
            }
            let total = booked.values.reduce(0, +)
            let balances = try await fixture.balances()
            #expect(balances[kent] == total)
            #expect(balances[bracknell] == -total)
            #expect(balances[surrey] == 0)
            #expect(balances["RCC"] == 0)
            #expect(try await fixture.verify().passed)
        }
    }

    @Test("the night's charge is the weekly rate per child times the children placed")
    func siblingGroupsPayPerChild() async throws {
        try await LedgerFixture.with { fixture in
            let placement = try fixture.placement(placing: surrey, host: kent, weekly: 70_003, beds: 3, start: "2026-02-01")
            try await fixture.settle(through: "2026-02-07")
            let booked = try fixture.bookedNights(placement)
            #expect(booked.values.reduce(0, +) == 210_009)
            for night in nights(from: "2026-02-01", count: 7) {
                #expect(booked[night.iso] == NightlyCharge.pence(weeklyRatePence: 210_009, night: night))
            }
        }
    }

    @Test("a placement within one authority books nothing")
    func intraAuthorityBooksNothing() async throws {
        try await LedgerFixture.with { fixture in
            try fixture.placement(placing: kent, host: kent, weekly: 70_000, start: "2026-01-01")
            let summary = try await fixture.settle(through: "2026-01-31")
            #expect(summary.nightsBooked == 0)
            #expect(try fixture.admin.query("SELECT count(*) AS n FROM journal_entries").first!.int("n") == 0)
        }
    }

    @Test("nights run to the night before the end date, and never past --through")
    func nightsStopAtTheEndAndThrough() async throws {
        try await LedgerFixture.with { fixture in
            let ended = try fixture.placement(placing: bracknell, host: kent, weekly: 70_000, start: "2026-01-01", end: "2026-01-05")
            let open = try fixture.placement(placing: kent, host: surrey, weekly: 70_000, start: "2026-01-03")
            let future = try fixture.placement(placing: kent, host: surrey, weekly: 70_000, start: "2026-02-01")
            try await fixture.settle(through: "2026-01-10")
            #expect(Set(try fixture.bookedNights(ended).keys) == Set(nights(from: "2026-01-01", count: 4).map(\.iso)))
            #expect(Set(try fixture.bookedNights(open).keys) == Set(nights(from: "2026-01-03", count: 8).map(\.iso)))
            #expect(try fixture.bookedNights(future).isEmpty)
        }
    }

    @Test("a back-dated end reverses the nights booked past it, once")
    func backDatedEndReverses() async throws {
        try await LedgerFixture.with { fixture in
            let placement = try fixture.placement(placing: bracknell, host: kent, weekly: 85_001, start: "2026-01-01")
            try await fixture.settle(through: "2026-01-20")
            try fixture.admin.query("UPDATE placements SET end_date = '2026-01-10' WHERE id = $1::uuid", [placement])
            let run = try await fixture.settle(through: "2026-01-25")
            #expect(run.nightsReversed == 11)
            #expect(run.nightsBooked == 0)
            let booked = try fixture.bookedNights(placement)
            #expect(Set(booked.keys) == Set(nights(from: "2026-01-01", count: 9).map(\.iso)))
            let total = booked.values.reduce(0, +)
            #expect(try await fixture.balances()[kent] == total)
            #expect(try await fixture.settle(through: "2026-01-25").entriesBooked == 0)
            let keys = try fixture.admin.query("SELECT idempotency_key FROM journal_entries WHERE kind = 'reversal' ORDER BY night LIMIT 1").first!.string("idempotency_key")
            #expect(keys == "\(placement):2026-01-10:reversal")
            #expect(try await fixture.verify().passed)
        }
    }

    @Test("an end moved later again books the reversed nights anew under new keys")
    func correctedEndBooksAgain() async throws {
        try await LedgerFixture.with { fixture in
            let placement = try fixture.placement(placing: bracknell, host: kent, weekly: 70_000, start: "2026-01-01")
            try await fixture.settle(through: "2026-01-14")
            try fixture.admin.query("UPDATE placements SET end_date = '2026-01-08' WHERE id = $1::uuid", [placement])
            try await fixture.settle(through: "2026-01-14")
            try fixture.admin.query("UPDATE placements SET end_date = NULL WHERE id = $1::uuid", [placement])
            let run = try await fixture.settle(through: "2026-01-14")
            #expect(run.nightsBooked == 7)
            #expect(try fixture.bookedNights(placement).values.reduce(0, +) == 140_000)
            #expect(try await fixture.verify().passed)
            #expect(try await fixture.settle(through: "2026-01-14").entriesBooked == 0)
        }
    }

    @Test("tiny batches leave exactly the ledger one big batch does")
    func batchingDoesNotChangeTheLedger() async throws {
        func ledger(batchPlacements: Int, batchNights: Int) async throws -> String {
            try await LedgerFixture.with { fixture in
                for index in 0..<5 {
                    try fixture.placement(placing: index % 2 == 0 ? bracknell : surrey, host: kent, weekly: 70_000 + Int64(index), start: "2026-01-0\(index + 1)")
                }
                // Placement ids differ between the two databases: compare everything else.
                try await fixture.settle(through: "2026-02-28", batchPlacements: batchPlacements, batchNights: batchNights)
                return try fixture.admin.query(
                    """
                    SELECT string_agg(to_char(e.night, 'YYYY-MM-DD') || '/' || p.weekly_rate_pence || '/' || l.account || '/' || l.amount_pence, ',' ORDER BY e.night, p.weekly_rate_pence, l.account) AS ledger
                    FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id JOIN placements p ON p.id = e.placement_id
                    """
                ).first!.string("ledger")
            }
        }
        let small = try await ledger(batchPlacements: 1, batchNights: 7)
        let big = try await ledger(batchPlacements: 10_000, batchNights: 3660)
        #expect(small == big)
    }

    @Test("with --no-wait a run refuses to start while another holds the lock")
    func oneRunAtATime() async throws {
        try await LedgerFixture.with { fixture in
            try fixture.placement(placing: bracknell, host: kent, weekly: 70_000, start: "2026-01-01")
            let holder = try PostgresConnection(url: fixture.url)
            try holder.query("SELECT pg_advisory_lock($1)", [Ledger.advisoryLockKey])
            await #expect(throws: SettlementError.runInProgress) {
                try await SettlementRunner(database: fixture.database, logger: fixture.database.logger).run(through: CalendarDate(iso: "2026-01-05")!, wait: false)
            }
            try holder.query("SELECT pg_advisory_unlock($1)", [Ledger.advisoryLockKey])
            #expect(try await fixture.settle(through: "2026-01-05").nightsBooked == 5)
        }
    }

    @Test("verify finds a night booked outside its placement and an edited entry")
    func verifyFindsBreaches() async throws {
        try await LedgerFixture.with { fixture in
            let placement = try fixture.placement(placing: bracknell, host: kent, weekly: 70_000, start: "2026-01-01")
            try await fixture.settle(through: "2026-01-03")
            #expect(try await fixture.verify().passed)
            try fixture.admin.execute("ALTER TABLE journal_lines DISABLE TRIGGER journal_lines_append_only")
            try fixture.admin.execute("UPDATE journal_lines SET amount_pence = amount_pence * 2 WHERE id IN (SELECT min(id) FROM journal_lines)")
            try fixture.admin.execute("ALTER TABLE journal_lines ENABLE TRIGGER journal_lines_append_only")
            let verification = try await fixture.verify()
            #expect(!verification.passed)
            let failed = Set(verification.checks.filter { !$0.passed }.map(\.name))
            #expect(failed.contains("entries_balance"))
            #expect(failed.contains("nothing_edited"))
            _ = placement
        }
    }
}
