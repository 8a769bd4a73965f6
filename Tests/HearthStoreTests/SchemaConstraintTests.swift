import Foundation
import HearthStore
import HearthTestSupport
import LibPQ
import Testing

/// The database itself protects the invariants DESIGN.md promises, whatever the application does.
@Suite("schema constraints", .enabled(if: TestDatabase.isRequired))
struct SchemaConstraintTests {
    private func migrated(_ url: String) throws -> PostgresConnection {
        let connection = try PostgresConnection(url: url)
        _ = try Migrator(migrations: try Migration.embedded()).migrate(connection)
        return connection
    }

    /// An authority, an offer with one bed, a bid and a proposal for it; returns their ids.
    private func seedProposal(_ connection: PostgresConnection) throws -> (offer: String, bid: String, proposal: String) {
        try connection.query("INSERT INTO authorities (code, name, lat, lon) VALUES ('E10000016', 'Kent', 51.27, 0.52)")
        let offer = try connection.query(
            """
            INSERT INTO offers (authority, setting, capacity, age_min, age_max, sexes_accepted, lat, lon, available_from, weekly_rate_pence)
            VALUES ('E10000016', 'foster', 1, 0, 17, '{female,male}', 51.3, 0.5, '2026-01-01', 70000) RETURNING id
            """
        ).first!.string("id")
        try connection.query("INSERT INTO beds (offer_id, bed_no) VALUES ($1, 1)", [offer])
        let bid = try connection.query(
            """
            INSERT INTO bids (authority, child_ref, age, sex, settings_acceptable, home_lat, home_lon, urgency, needed_by)
            VALUES ('E10000016', 'KT-001', 9, 'female', '{foster}', 51.2, 0.6, 'urgent', '2026-02-01') RETURNING id
            """
        ).first!.string("id")
        let proposal = try connection.query(
            """
            INSERT INTO proposals (bid_id, offer_id, placing_authority, host_authority, beds, distance_km, weekly_rate_pence, expires_at)
            VALUES ($1, $2, 'E10000016', 'E10000016', 1, 12.5, 70000, now() + interval '72 hours') RETURNING id
            """,
            [bid, offer]
        ).first!.string("id")
        return (offer, bid, proposal)
    }

    @Test("the same bed cannot be held twice for overlapping dates")
    func noDoubleBooking() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try migrated(url)
            let ids = try seedProposal(connection)
            try connection.query(
                "INSERT INTO bed_occupancy (offer_id, bed_no, during, kind, proposal_id) VALUES ($1, 1, daterange('2026-02-01', NULL), 'hold', $2)",
                [ids.offer, ids.proposal]
            )
            let error = #expect(throws: PostgresError.self) {
                try connection.query(
                    "INSERT INTO bed_occupancy (offer_id, bed_no, during, kind, proposal_id) VALUES ($1, 1, daterange('2026-03-01', '2026-04-01'), 'hold', $2)",
                    [ids.offer, ids.proposal]
                )
            }
            #expect(error?.code == .exclusionViolation)
            // A released hold no longer blocks the bed.
            try connection.query("UPDATE bed_occupancy SET active = false, released_at = now()")
            try connection.query(
                "INSERT INTO bed_occupancy (offer_id, bed_no, during, kind, proposal_id) VALUES ($1, 1, daterange('2026-03-01', '2026-04-01'), 'hold', $2)",
                [ids.offer, ids.proposal]
            )
        }
    }

    @Test("a journal entry whose lines do not sum to zero cannot commit")
    func unbalancedEntryRefused() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try migrated(url)
            let error = #expect(throws: PostgresError.self) {
                try connection.transaction { transaction in
                    let entry = try transaction.query(
                        "INSERT INTO journal_entries (idempotency_key, kind, description) VALUES ('k1', 'contribution', 'test') RETURNING id"
                    ).first!.int64("id")
                    try transaction.query("INSERT INTO journal_lines (entry_id, account, amount_pence) VALUES ($1, 'RCC', 100), ($1, 'E10000016', -99)", [entry])
                }
            }
            #expect(error?.code == .checkViolation)
            #expect(try connection.query("SELECT count(*) AS n FROM journal_entries").first?.int("n") == 0)
            try connection.transaction { transaction in
                let entry = try transaction.query(
                    "INSERT INTO journal_entries (idempotency_key, kind, description) VALUES ('k2', 'contribution', 'test') RETURNING id"
                ).first!.int64("id")
                try transaction.query("INSERT INTO journal_lines (entry_id, account, amount_pence) VALUES ($1, 'RCC', 100), ($1, 'E10000016', -100)", [entry])
            }
            #expect(throws: PostgresError.self) { try connection.query("UPDATE journal_lines SET amount_pence = 5") }
            #expect(throws: PostgresError.self) { try connection.query("DELETE FROM journal_entries") }
        }
    }

    @Test("nobody can update, delete or truncate the audit log, and the application role may only append")
    func auditLogAppendOnly() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try migrated(url)
            try connection.query("INSERT INTO audit_log (actor_kind, action, entity) VALUES ('operator', 'authority.add', 'authority')")
            for statement in ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
                let error = #expect(throws: PostgresError.self) { try connection.query(statement) }
                #expect(error?.code == .insufficientPrivilege)
            }
            try connection.execute("SET ROLE hearth_app")
            try connection.query("INSERT INTO audit_log (actor_kind, action, entity) VALUES ('daemon', 'round.run', 'round')")
            let denied = #expect(throws: PostgresError.self) { try connection.query("UPDATE audit_log SET action = 'x'") }
            #expect(denied?.code == .insufficientPrivilege)
            #expect(try connection.query("SELECT count(*) AS n FROM audit_log").first?.int("n") == 2)
        }
    }

    @Test("a child cannot be placed twice for overlapping dates")
    func noChildPlacedTwice() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let connection = try migrated(url)
            let ids = try seedProposal(connection)
            let insert = """
                INSERT INTO placements (proposal_id, bid_id, offer_id, placing_authority, host_authority, beds, weekly_rate_pence, start_date, end_date)
                VALUES ($1, $2, $3, 'E10000016', 'E10000016', 1, 70000, $4, $5)
                """
            try connection.query(insert, [ids.proposal, ids.bid, ids.offer, "2026-02-01", "2026-03-01"])
            let second = try connection.query(
                """
                INSERT INTO proposals (bid_id, offer_id, placing_authority, host_authority, beds, distance_km, weekly_rate_pence, expires_at, status)
                VALUES ($1, $2, 'E10000016', 'E10000016', 1, 1, 70000, now(), 'lapsed') RETURNING id
                """, [ids.bid, ids.offer]
            ).first!.string("id")
            let error = #expect(throws: PostgresError.self) {
                try connection.query(insert, [second, ids.bid, ids.offer, "2026-02-15", String?.none])
            }
            #expect(error?.code == .exclusionViolation)
            try connection.query(insert, [second, ids.bid, ids.offer, "2026-03-01", String?.none])
        }
    }
}
