import Foundation
import HearthCore
import HearthStore
import Hummingbird

/// `/v1/bids`: an authority's own children needing a place. Another authority's bid is a 404,
/// so not even its existence leaks.
struct BidRoutes {
    let database: HearthDatabase
    let postcodes: PostcodeDistricts

    static let fields: Set<String> = [
        "child_ref", "group_size", "age", "sex", "needs", "settings_acceptable", "home_location", "max_distance_km",
        "min_distance_km", "urgency", "needed_by", "max_weekly_rate_pence",
    ]

    func register(on group: RouterGroup<HearthRequestContext>) {
        group.post("bids", use: create)
        group.get("bids", use: list)
        group.get("bids/:id", use: show)
        group.patch("bids/:id", use: update)
        group.post("bids/:id/withdraw", use: withdraw)
        BidPreferenceRoutes(database: database).register(on: group)
    }

    /// Reads a bid body: every field for a new bid, or changes over `base` for a PATCH.
    func draft(from reader: inout BodyReader, base: BidDraft?) throws -> BidDraft {
        reader.rejectUnknown(allowing: Self.fields)
        let isNew = base == nil
        func wants(_ name: String) -> Bool { isNew || reader.has(name) }
        var childRef = wants("child_ref") ? reader.string("child_ref", maxLength: BidDraft.Limits.childRefLength.upperBound) : base?.childRef
        if let text = childRef, reader.has("child_ref"), let problem = BidDraft.problem(childRef: text) {
            reader.fail(problem.field, problem.message)
            childRef = nil
        }
        let groupSize = wants("group_size")
            ? reader.integer("group_size", required: false, in: BidDraft.Limits.groupSize.int64).map(Int.init) ?? (reader.has("group_size") ? nil : 1)
            : base?.groupSize
        let age = wants("age") ? reader.integer("age", in: BidDraft.Limits.age.int64).map(Int.init) : base?.age
        let sex = wants("sex") ? reader.code("sex", as: Sex.self) : base?.sex
        let needs = wants("needs") ? reader.codes("needs", required: false, as: Need.self) ?? [] : base?.needs
        let settings = wants("settings_acceptable") ? reader.codes("settings_acceptable", as: Setting.self, minimum: 1) : base?.settingsAcceptable
        let home = wants("home_location") ? reader.location("home_location", postcodes: postcodes) : base.map { ResolvedLocation(point: $0.home, postcodeDistrict: $0.homePostcodeDistrict) }
        let maxDistance = wants("max_distance_km") ? reader.number("max_distance_km", required: false, in: BidDraft.Limits.maxDistanceKm) : base?.maxDistanceKm
        let minDistance = wants("min_distance_km") ? reader.number("min_distance_km", required: false, in: BidDraft.Limits.minDistanceKm) : base?.minDistanceKm
        let urgency = wants("urgency") ? reader.code("urgency", as: Urgency.self) : base?.urgency
        let neededBy = wants("needed_by") ? reader.date("needed_by") : base?.neededBy
        let maxRate = wants("max_weekly_rate_pence") ? reader.integer("max_weekly_rate_pence", required: false, in: BidDraft.Limits.maxWeeklyRatePence) : base?.maxWeeklyRatePence
        try reader.throwIfInvalid()
        guard let childRef, let groupSize, let age, let sex, let needs, let settings, let home, let urgency, let neededBy else {
            throw Problem(status: .unprocessableContent, title: "Invalid request", detail: "required fields are missing")
        }
        let draft = BidDraft(
            childRef: childRef, groupSize: groupSize, age: age, sex: sex, needs: needs, settingsAcceptable: settings, home: home.point,
            homePostcodeDistrict: home.postcodeDistrict, maxDistanceKm: maxDistance, minDistanceKm: minDistance, urgency: urgency,
            neededBy: neededBy, maxWeeklyRatePence: maxRate
        )
        try reader.throwIfInvalid(adding: draft.problems)
        return draft
    }

    @Sendable func create(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        var reader = try await BodyReader.parse(request, context: context)
        let draft = try self.draft(from: &reader, base: nil)
        return try await IdempotentWrite.perform(request, body: reader.rawBody, context: context, caller: caller, database: database) { connection in
            let record = try BidRepository.create(draft, authority: caller.authority, actor: caller.actor, on: connection)
            return StoredResponse(status: 201, body: JSONResponse.data(BidJSON(record)))
        }
    }

    @Sendable func list(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        var query = QueryReader(request)
        var filter = BidFilter()
        filter.limit = query.limit()
        filter.after = query.cursor()
        filter.status = query.code("status", as: BidStatus.self)
        filter.urgency = query.code("urgency", as: Urgency.self)
        try query.throwIfInvalid()
        let page = try await database.transaction(scope: caller.scope) { [filter] connection in
            try BidRepository.list(filter, authority: caller.ownedAuthority, on: connection)
        }
        return JSONResponse.make(PageJSON(page, limit: filter.limit, BidJSON.init))
    }

    @Sendable func show(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        let id = try context.resourceID("bid")
        let record = try await database.transaction(scope: caller.scope) { connection in
            try BidRepository.find(id, authority: caller.ownedAuthority, on: connection)
        }
        guard let record else { throw Problem(status: .notFound, title: "Not found", detail: "no such bid") }
        return JSONResponse.make(BidJSON(record))
    }

    @Sendable func update(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        let id = try context.resourceID("bid")
        let expected = try request.expectedVersion()
        let reader = try await BodyReader.parse(request, context: context)
        let routes = self
        let record = try await database.transaction(scope: caller.scope) { connection in
            guard let current = try BidRepository.find(id, authority: caller.ownedAuthority, lock: true, on: connection) else {
                throw Problem(status: .notFound, title: "Not found", detail: "no such bid")
            }
            try OfferRoutes.check(version: expected, of: current.version)
            var reader = reader
            let draft = try routes.draft(from: &reader, base: current.draft)
            return try BidRepository.update(current, to: draft, actor: caller.actor, on: connection)
        }
        return JSONResponse.make(BidJSON(record))
    }

    @Sendable func withdraw(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        let id = try context.resourceID("bid")
        let expected = try request.expectedVersion()
        return try await IdempotentWrite.perform(request, body: Data(), context: context, caller: caller, database: database) { connection in
            guard let current = try BidRepository.find(id, authority: caller.ownedAuthority, lock: true, on: connection) else {
                throw Problem(status: .notFound, title: "Not found", detail: "no such bid")
            }
            try OfferRoutes.check(version: expected, of: current.version)
            let record = try BidRepository.withdraw(current, actor: caller.actor, on: connection)
            return StoredResponse(status: 200, body: JSONResponse.data(BidJSON(record)))
        }
    }
}
