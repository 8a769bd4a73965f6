import Foundation
import HearthCore
import HearthStore
import Hummingbird

/// A bid's preferences as the API shows them, to the bid's own authority only.
struct PreferencesJSON: Encodable, Sendable {
    struct Views: Encodable, Sendable {
        let consulted: Bool
        let summary: String?
    }

    /// The last round's verdict on each ranked offer.
    struct Outcome: Encodable, Sendable {
        let roundId: Int64
        let choices: [Choice]
    }

    struct Choice: Encodable, Sendable {
        let offerId: String
        let choice: Int
        let outcome: String
        let rule: String?
        let reason: String
        let effect: OptionEffectRecord?
    }

    let bidId: String
    let ranking: [String]
    let childViews: Views
    /// The last round that weighed this ranking, or null if none has since it was saved.
    let lastRound: Outcome?
    /// In a PUT's answer: the live proposal this save withdrew, if any.
    let releasedProposalId: String?
    let version: Int
    let createdAt: Date
    let updatedAt: Date

    init(_ record: BidPreferencesRecord, released: UUID? = nil) {
        bidId = record.bidID.uuidString.lowercased()
        ranking = record.preferences.ranking.map { $0.uuidString.lowercased() }
        childViews = Views(consulted: record.preferences.childViews.consulted, summary: record.preferences.childViews.summary)
        lastRound = record.outcomeRoundID.map { round in
            Outcome(roundId: round, choices: record.outcome.map(Self.choice))
        }
        releasedProposalId = released?.uuidString.lowercased()
        version = record.version
        createdAt = record.createdAt
        updatedAt = record.updatedAt
    }

    static func choice(_ stored: RankedChoiceRecord) -> Choice {
        let outcome = RankedChoice.Outcome(rawValue: stored.outcome) ?? .notEvaluated
        return Choice(
            offerId: stored.offerId, choice: stored.choice, outcome: stored.outcome, rule: stored.rule,
            reason: RankedChoice.explanation(of: outcome, rule: stored.rule), effect: stored.effect
        )
    }
}

/// `/v1/bids/{id}/preferences`: the child's views and ranked choice of offers, for the bid's
/// own placing authority (another authority's bid is a 404).
struct BidPreferenceRoutes {
    let database: HearthDatabase

    func register(on group: RouterGroup<HearthRequestContext>) {
        group.get("bids/:id/preferences", use: show)
        group.put("bids/:id/preferences", use: save)
    }

    @Sendable func show(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        let id = try context.resourceID("bid")
        let record = try await database.transaction(scope: caller.scope) { connection -> BidPreferencesRecord? in
            guard try BidRepository.find(id, authority: caller.ownedAuthority, on: connection) != nil else {
                throw Problem(status: .notFound, title: "Not found", detail: "no such bid")
            }
            return try BidPreferenceRepository.find(bid: id, on: connection)
        }
        guard let record else {
            throw Problem(status: .notFound, title: "Not found", detail: "no preferences have been saved for this bid")
        }
        return try JSONResponse.make(PreferencesJSON(record))
    }

    @Sendable func save(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        let id = try context.resourceID("bid")
        let expected = try request.expectedVersion()
        var reader = try await BodyReader.parse(request, context: context)
        let preferences = try Self.preferences(from: &reader)
        let today = CalendarDate.today()
        return try await IdempotentWrite.perform(request, body: reader.rawBody, context: context, caller: caller, database: database) { connection in
            guard let bid = try BidRepository.find(id, authority: caller.ownedAuthority, lock: true, on: connection) else {
                throw Problem(status: .notFound, title: "Not found", detail: "no such bid")
            }
            let current = try BidPreferenceRepository.find(bid: id, lock: true, on: connection)
            if let expected {
                guard let current else {
                    throw Problem(
                        status: .preconditionFailed, title: "Precondition failed",
                        detail: "no preferences have been saved for this bid yet: save them without If-Match"
                    )
                }
                try OfferRoutes.check(version: expected, of: current.version)
            }
            let saved = try BidPreferenceRepository.save(preferences, for: bid, current: current, actor: caller.actor, today: today, on: connection)
            return StoredResponse(
                status: current == nil ? 201 : 200, body: try JSONResponse.encoder.encode(PreferencesJSON(saved.record, released: saved.released))
            )
        }
    }

    /// Reads `{"ranking": [offer ids], "child_views": {"consulted", "summary"}}`, every problem at once.
    static func preferences(from reader: inout BodyReader) throws -> ChildPreferences {
        reader.rejectUnknown(allowing: ["ranking", "child_views"])
        var ranking: [UUID]?
        switch reader.field("ranking") {
        case .array(let items)?:
            var ids: [UUID] = []
            for (index, item) in items.enumerated() {
                if case .string(let text) = item, let id = UUID(uuidString: text) {
                    ids.append(id)
                } else {
                    reader.fail("ranking[\(index)]", "must be an offer id (a UUID string)")
                }
            }
            ranking = ids
        case nil, .null?:
            reader.fail("ranking", "is required: the offers the child prefers, most preferred first ([] for none)")
        case let other?:
            reader.fail("ranking", "must be an array of offer ids, not \(other.typeName)")
        }
        var views: ChildViews?
        switch reader.field("child_views") {
        case .object(let fields)?:
            var inner = BodyReader(fields: fields)
            inner.rejectUnknown(allowing: ["consulted", "summary"])
            let consulted = inner.bool("consulted")
            let summary = inner.string("summary", required: consulted == true, maxLength: Proposal.Limits.text)
            for error in inner.errors { reader.fail("child_views.\(error.field)", error.message) }
            views = consulted.map { ChildViews(consulted: $0, summary: summary) }
        default:
            reader.fail("child_views", "is required: {\"consulted\": true|false, \"summary\": \"what the child said\"}")
        }
        let problems = (ranking.map(ChildPreferences.shapeProblems) ?? []) + (views?.problems ?? []).map {
            FieldProblem("child_views.\($0.field)", $0.message)
        }
        try reader.throwIfInvalid(adding: problems)
        guard let ranking, let views else {
            throw Problem(status: .unprocessableContent, title: "Invalid request", detail: "ranking and child_views are required")
        }
        return ChildPreferences(ranking: ranking, childViews: views)
    }
}
