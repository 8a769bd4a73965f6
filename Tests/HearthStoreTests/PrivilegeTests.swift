import Foundation
import HearthStore
import HearthTestSupport
import LibPQ
import Logging
import Testing

/// hearthd's login role `hearth_daemon` (Migrations/0006) can do what the API and rounds need
/// and nothing more, and row-level security checks what is written as well as what is read.
@Suite("database privileges", .enabled(if: TestDatabase.isRequired))
struct PrivilegeTests {
    static let kent = "E10000016"
    static let bracknell = "E06000036"
    static let kentKey = "11111111-1111-1111-1111-111111111111"
    static let bracknellKey = "22222222-2222-2222-2222-222222222222"
    static let kentOffer = "33333333-3333-3333-3333-333333333333"
    static let kentBid = "44444444-4444-4444-4444-444444444444"
    static let bracknellOffer = "55555555-5555-5555-5555-555555555555"
    static let kentProposal = "66666666-6666-6666-6666-666666666666"

    /// Migrates `url` as the owner and seeds two members, a key each, an offer each, a Kent bid,
    /// a proposal pairing it with Kent's offer, and an idempotency record of Kent's key; returns
    /// the owner's connection and one as `hearth_daemon`.
    private func seeded(_ url: String) throws -> (owner: PostgresConnection, daemon: PostgresConnection) {
        let owner = try PostgresConnection(url: url)
        _ = try Migrator(migrations: try Migration.embedded()).migrate(owner)
        try owner.execute(
            """
            INSERT INTO authorities (code, name, lat, lon) VALUES ('\(Self.kent)', 'Kent', 51.27, 0.52), ('\(Self.bracknell)', 'Bracknell Forest', 51.41, -0.75);
            INSERT INTO api_keys (id, prefix, secret_hash, authority, role) VALUES
                ('\(Self.kentKey)', 'hk_aaaaaaaaaaaa', decode(repeat('aa', 32), 'hex'), '\(Self.kent)', 'placement'),
                ('\(Self.bracknellKey)', 'hk_bbbbbbbbbbbb', decode(repeat('bb', 32), 'hex'), '\(Self.bracknell)', 'placement');
            INSERT INTO offers (id, authority, setting, capacity, age_min, age_max, sexes_accepted, lat, lon, available_from, weekly_rate_pence) VALUES
                ('\(Self.kentOffer)', '\(Self.kent)', 'foster', 1, 0, 17, '{female,male}', 51.3, 0.5, '2026-01-01', 70000),
                ('\(Self.bracknellOffer)', '\(Self.bracknell)', 'foster', 1, 0, 17, '{female,male}', 51.4, -0.7, '2026-01-01', 65000);
            INSERT INTO beds (offer_id, bed_no) VALUES ('\(Self.kentOffer)', 1), ('\(Self.bracknellOffer)', 1);
            INSERT INTO bids (id, authority, child_ref, age, sex, settings_acceptable, home_lat, home_lon, urgency, needed_by)
                VALUES ('\(Self.kentBid)', '\(Self.kent)', 'KT-001', 9, 'female', '{foster}', 51.2, 0.6, 'urgent', '2026-02-01');
            INSERT INTO proposals (id, bid_id, offer_id, placing_authority, host_authority, beds, distance_km, weekly_rate_pence, expires_at)
                VALUES ('\(Self.kentProposal)', '\(Self.kentBid)', '\(Self.kentOffer)', '\(Self.kent)', '\(Self.kent)', 1, 12.5, 70000, now() + interval '72 hours');
            INSERT INTO idempotency_keys (key_id, idempotency_key, method, path, request_hash, response_status, response_body)
                VALUES ('\(Self.kentKey)', 'kent-1', 'POST', '/v1/bids', '\\x00', 201, convert_to('{"child_ref":"KT-001","age":9}', 'UTF8'));
            INSERT INTO audit_log (actor_kind, action, entity) VALUES ('operator', 'authority.add', 'authority');
            """
        )
        return (owner, try PostgresConnection(url: try TestDatabase.daemonURL(for: url)))
    }

    /// Runs `statement` as `connection` (in `scope`, if given) and expects PostgreSQL to refuse
    /// it for lack of privilege (SQLSTATE 42501).
    private func expectRefused(_ statement: String, scope: AccessScope? = nil, on connection: PostgresConnection, sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: PostgresError.self, "\(statement)", sourceLocation: sourceLocation) {
            try connection.transaction { transaction in
                if let scope { try transaction.enter(scope) }
                try transaction.execute(statement)
            }
        }
        #expect(error?.code == .insufficientPrivilege, "\(statement): \(error?.message ?? "")", sourceLocation: sourceLocation)
    }

    @Test("hearth_daemon cannot touch keys, the ledger, the audit log, migrations or the schema")
    func forbiddenActs() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let (owner, daemon) = try seeded(url)
            let refused = [
                "INSERT INTO api_keys (prefix, secret_hash, authority, role) VALUES ('hk_cccccccccccc', decode(repeat('cc', 32), 'hex'), '\(Self.kent)', 'operator')",
                "UPDATE api_keys SET revoked_at = NULL",
                "UPDATE api_keys SET role = 'operator'",
                "DELETE FROM api_keys",
                "UPDATE audit_log SET action = 'nothing'",
                "DELETE FROM audit_log",
                "TRUNCATE audit_log",
                "INSERT INTO journal_entries (idempotency_key, kind, description) VALUES ('k', 'contribution', 'forged')",
                "UPDATE journal_entries SET description = 'forged'",
                "DELETE FROM journal_lines",
                "TRUNCATE journal_entries",
                "TRUNCATE journal_lines",
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
                "ALTER TABLE journal_lines DISABLE TRIGGER ALL",
                "ALTER TABLE bids DISABLE ROW LEVEL SECURITY",
                "DROP TABLE audit_log",
                "DROP POLICY bids_own ON bids",
                "CREATE TABLE shadow (id int)",
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (999, '0999_x.sql', 'x')",
                "UPDATE schema_migrations SET checksum = 'x'",
                "DELETE FROM schema_migrations",
                "INSERT INTO authorities (code, name, lat, lon) VALUES ('E10000015', 'Hampshire', 51.06, -1.31)",
                "UPDATE control SET clearing_paused = true",
                "SET ROLE hearth_app",
            ]
            for statement in refused {
                expectRefused(statement, on: daemon)
            }
            // The owner's view: nothing changed.
            #expect(try owner.query("SELECT count(*) AS n FROM api_keys WHERE role = 'operator' OR revoked_at IS NOT NULL").first?.int("n") == 0)
            #expect(try owner.query("SELECT count(*) AS n FROM audit_log").first?.int("n") == 1)
            #expect(try owner.query("SELECT count(*) AS n FROM schema_migrations WHERE version = 999").first?.int("n") == 0)
        }
    }

    @Test("row-level security checks what a scope writes, not only what it reads")
    func writesAreChecked() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let (owner, daemon) = try seeded(url)
            let bracknell = AccessScope.authority(Self.bracknell)
            // Bracknell names itself host of a proposal on Kent's bid: only rounds make proposals.
            expectRefused(
                """
                INSERT INTO proposals (bid_id, offer_id, placing_authority, host_authority, beds, distance_km, weekly_rate_pence, expires_at)
                VALUES ('\(Self.kentBid)', '\(Self.bracknellOffer)', '\(Self.kent)', '\(Self.bracknell)', 1, 20, 65000, now() + interval '1 day')
                """,
                scope: bracknell, on: daemon
            )
            // Nor may Kent, placing and hosting both.
            expectRefused(
                """
                INSERT INTO proposals (bid_id, offer_id, placing_authority, host_authority, beds, distance_km, weekly_rate_pence, expires_at)
                VALUES ('\(Self.kentBid)', '\(Self.kentOffer)', '\(Self.kent)', '\(Self.kent)', 1, 20, 70000, now() + interval '1 day')
                """,
                scope: .authority(Self.kent), on: daemon
            )
            // A placement only from a proposal the host hosts, exactly as proposed.
            expectRefused(
                """
                INSERT INTO placements (proposal_id, bid_id, offer_id, placing_authority, host_authority, beds, weekly_rate_pence, start_date)
                VALUES ('\(Self.kentProposal)', '\(Self.kentBid)', '\(Self.kentOffer)', '\(Self.kent)', '\(Self.bracknell)', 1, 70000, '2026-02-01')
                """,
                scope: bracknell, on: daemon
            )
            // Who a proposal or a bid belongs to never changes, in any scope.
            expectRefused("UPDATE proposals SET host_authority = '\(Self.bracknell)'", scope: .authority(Self.kent), on: daemon)
            expectRefused("UPDATE proposals SET offer_id = '\(Self.bracknellOffer)'", scope: .all, on: daemon)
            expectRefused("UPDATE bids SET authority = '\(Self.bracknell)'", scope: .authority(Self.kent), on: daemon)
            expectRefused("UPDATE offers SET authority = '\(Self.kent)' WHERE id = '\(Self.bracknellOffer)'", scope: bracknell, on: daemon)
            // Another authority's proposal is out of reach: no row to change.
            let declined = try daemon.transaction(scope: bracknell) { transaction in
                try transaction.query("UPDATE proposals SET status = 'declined'").affectedRows
            }
            #expect(declined == 0)
            #expect(try owner.query("SELECT status, host_authority FROM proposals").first?.string("status") == "proposed")
            // The party itself may move its proposal on.
            let accepted = try daemon.transaction(scope: .authority(Self.kent)) { transaction in
                try transaction.query("UPDATE proposals SET status = 'accepted', version = version + 1").affectedRows
            }
            #expect(accepted == 1)
        }
    }

    @Test("idempotency records are visible and writable only under their key's authority")
    func idempotencyIsolated() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let (_, daemon) = try seeded(url)
            let bracknell = AccessScope.authority(Self.bracknell)
            let seen = try daemon.transaction(scope: bracknell) { transaction in
                try transaction.query("SELECT count(*) AS n FROM idempotency_keys").first?.int("n")
            }
            #expect(seen == 0)
            let replayed = try daemon.transaction(scope: bracknell) { transaction in
                try IdempotencyStore.lookup(apiKeyID: Self.kentKey, key: "kent-1", requestHash: Data([0]), on: transaction)
            }
            #expect(replayed == nil)
            expectRefused(
                """
                INSERT INTO idempotency_keys (key_id, idempotency_key, method, path, request_hash, response_status, response_body)
                VALUES ('\(Self.kentKey)', 'forged', 'POST', '/v1/bids', '\\x00', 201, '')
                """,
                scope: bracknell, on: daemon
            )
            expectRefused("UPDATE idempotency_keys SET key_id = '\(Self.bracknellKey)'", scope: bracknell, on: daemon)
            // Kent's own scope replays it.
            let own = try daemon.transaction(scope: .authority(Self.kent)) { transaction in
                try IdempotencyStore.lookup(apiKeyID: Self.kentKey, key: "kent-1", requestHash: Data([0]), on: transaction)
            }
            #expect(own?.status == 201)
        }
    }

    @Test("idempotency records older than 24 hours are never replayed, may be reused, and are purged")
    func idempotencyExpires() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let (owner, daemon) = try seeded(url)
            try owner.query(
                """
                INSERT INTO idempotency_keys (key_id, idempotency_key, method, path, request_hash, response_status, response_body, created_at)
                VALUES ($1, 'kent-old', 'POST', '/v1/bids', '\\x00', 201, '', now() - interval '25 hours')
                """,
                [Self.kentKey]
            )
            let kent = AccessScope.authority(Self.kent)
            let stale = try daemon.transaction(scope: kent) { transaction in
                try IdempotencyStore.lookup(apiKeyID: Self.kentKey, key: "kent-old", requestHash: Data([1]), on: transaction)
            }
            #expect(stale == nil, "an expired record is neither replayed nor a conflict")
            try daemon.transaction(scope: kent) { transaction in
                try IdempotencyStore.save(
                    apiKeyID: Self.kentKey, key: "kent-old", method: "POST", path: "/v1/offers", requestHash: Data([1]),
                    response: StoredResponse(status: 201, body: Data("{}".utf8)), on: transaction
                )
            }
            let fresh = try daemon.transaction(scope: kent) { transaction in
                try IdempotencyStore.lookup(apiKeyID: Self.kentKey, key: "kent-old", requestHash: Data([1]), on: transaction)
            }
            #expect(fresh == StoredResponse(status: 201, body: Data("{}".utf8)))
            try owner.query("UPDATE idempotency_keys SET created_at = now() - interval '24 hours 1 second' WHERE idempotency_key = 'kent-1'")
            try daemon.transaction(scope: .all) { try DaemonStore.purgeExpiredData(on: $0) }
            let left = try owner.query("SELECT idempotency_key FROM idempotency_keys ORDER BY 1").rows.map { try $0.string("idempotency_key") }
            #expect(left == ["kent-old"])
        }
    }

    @Test("hearth_daemon can authenticate keys, register and heartbeat; it cannot issue or revoke keys")
    func daemonNeeds() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let (owner, daemon) = try seeded(url)
            let id = UUID()
            try daemon.transaction(scope: .all) { transaction in
                try DaemonStore.register(id: id, host: "test", pid: 1, version: "test", workers: 1, on: transaction)
                try DaemonStore.heartbeat(id: id, state: "running", on: transaction)
                try AuditLog.record(transaction, actor: .daemon, action: "round.run", entity: "round", entityID: nil)
            }
            let issued = try owner.transaction { try APIKeyRepository.issue(authority: Self.kent, role: .placement, actor: .operatorCLI, on: $0) }
            #expect(try APIKeyRepository.authenticate(secret: issued.secret, on: daemon)?.authority == Self.kent)
            let issue = #expect(throws: PostgresError.self) {
                try daemon.transaction(scope: .all) { try APIKeyRepository.issue(authority: Self.kent, role: .operator, actor: .daemon, on: $0) }
            }
            #expect(issue?.code == .insufficientPrivilege)
            let revoke = #expect(throws: PostgresError.self) {
                try daemon.transaction(scope: .all) { try APIKeyRepository.revoke(prefix: issued.record.prefix, actor: .daemon, on: $0) }
            }
            #expect(revoke?.code == .insufficientPrivilege)
            // The owner's tools still administer keys inside a scoped transaction (demo seed does).
            let scrutiny = try owner.transaction(scope: .all) { transaction in
                try APIKeyRepository.issue(authority: Self.bracknell, role: .scrutiny, actor: .operatorCLI, on: transaction)
            }
            #expect(scrutiny.record.role == .scrutiny)
            let revoked = try owner.transaction(scope: .all) { try APIKeyRepository.revoke(prefix: scrutiny.record.prefix, actor: .operatorCLI, on: $0) }
            #expect(revoked.revokedAt != nil)
        }
    }

    @Test("a login that is a superuser or owns the schema is reported; hearth_daemon is not")
    func loginWarning() async throws {
        try await TestDatabase.withFreshDatabase { url in
            _ = try seeded(url)
            let logger = Logger(label: "test")
            let asOwner = try await HearthDatabase.open(url: url, poolSize: 1, applicationName: "test", logger: logger)
            let warning = try await asOwner.loginPrivilegeWarning()
            await asOwner.close()
            #expect(warning?.contains("superuser") == true)
            let asDaemon = try await HearthDatabase.open(url: try TestDatabase.daemonURL(for: url), poolSize: 1, applicationName: "test", logger: logger)
            let none = try await asDaemon.loginPrivilegeWarning()
            #expect(try await asDaemon.migrationStatus().isCurrent)
            await asDaemon.close()
            #expect(none == nil)
        }
    }

    @Test("the cross-authority functions act only for a party to the proposal, and keep the caller's scope")
    func crossAuthorityFunctions() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let (owner, daemon) = try seeded(url)
            try owner.execute("UPDATE bids SET status = 'proposed' WHERE id = '\(Self.kentBid)'")
            let bracknell = AccessScope.authority(Self.bracknell)
            // Bracknell is no party to Kent's proposal, live or ended, and hosts none of it.
            expectRefused("SELECT hearth_reopen_bid_after('\(Self.kentProposal)')", scope: bracknell, on: daemon)
            expectRefused("SELECT hearth_place_bid_for('\(Self.kentProposal)')", scope: bracknell, on: daemon)
            try owner.execute("UPDATE proposals SET status = 'declined' WHERE id = '\(Self.kentProposal)'")
            expectRefused("SELECT hearth_reopen_bid_after('\(Self.kentProposal)')", scope: bracknell, on: daemon)
            expectRefused("SELECT hearth_reopen_bid_after('\(Self.kentProposal)')", on: daemon)
            #expect(try owner.query("SELECT status FROM bids WHERE id = '\(Self.kentBid)'").first?.string("status") == "proposed")
            // A declined proposal's party reopens the bid, once, and is still in its own scope after.
            let (reopened, again, scopeAfter) = try daemon.transaction(scope: .authority(Self.kent)) { transaction in
                (
                    try transaction.query("SELECT hearth_reopen_bid_after('\(Self.kentProposal)') AS done").first?.bool("done"),
                    try transaction.query("SELECT hearth_reopen_bid_after('\(Self.kentProposal)') AS done").first?.bool("done"),
                    try transaction.query("SELECT hearth_current_authority() AS code").first?.string("code")
                )
            }
            #expect(reopened == true && again == false && scopeAfter == Self.kent)
            // An unconfirmed proposal's bid is never placed, even by its host.
            let error = #expect(throws: PostgresError.self) {
                try daemon.transaction(scope: .authority(Self.kent)) { transaction in
                    try transaction.execute("SELECT hearth_place_bid_for('\(Self.kentProposal)')")
                }
            }
            #expect(error?.message.contains("without a placement") == true)
            #expect(try owner.query("SELECT status FROM bids WHERE id = '\(Self.kentBid)'").first?.string("status") == "open")
        }
    }
}
