import Foundation
import HearthCore
import HearthStore
import Hummingbird

/// `/v1/offers`: members' surplus places. The list is the whole market's open offers.
struct OfferRoutes {
    let database: HearthDatabase
    let postcodes: PostcodeDistricts

    static let fields: Set<String> = [
        "setting", "capacity", "needs_supported", "age_min", "age_max", "sexes_accepted", "location",
        "available_from", "available_until", "weekly_rate_pence", "ofsted_urn",
    ]

    func register(on group: RouterGroup<HearthRequestContext>) {
        group.post("offers", use: create)
        group.get("offers", use: list)
        group.get("offers/:id", use: show)
        group.patch("offers/:id", use: update)
        group.post("offers/:id/withdraw", use: withdraw)
    }

    /// Reads an offer body: every field for a new offer, or changes over `base` for a PATCH.
    func draft(from reader: inout BodyReader, base: OfferDraft?) throws -> OfferDraft {
        reader.rejectUnknown(allowing: Self.fields)
        let isNew = base == nil
        func wants(_ name: String) -> Bool { isNew || reader.has(name) }
        let setting = wants("setting") ? reader.code("setting", as: Setting.self) : base?.setting
        let capacity = wants("capacity") ? reader.integer("capacity", in: OfferDraft.Limits.capacity.int64).map(Int.init) : base?.capacity
        let needs = wants("needs_supported") ? reader.codes("needs_supported", required: false, as: Need.self) ?? [] : base?.needsSupported
        let ageMin = wants("age_min") ? reader.integer("age_min", in: OfferDraft.Limits.age.int64).map(Int.init) : base?.ageMin
        let ageMax = wants("age_max") ? reader.integer("age_max", in: OfferDraft.Limits.age.int64).map(Int.init) : base?.ageMax
        let sexes = wants("sexes_accepted") ? reader.codes("sexes_accepted", as: Sex.self, minimum: 1) : base?.sexesAccepted
        let location = wants("location") ? reader.location("location", postcodes: postcodes) : base.map { ResolvedLocation(point: $0.location, postcodeDistrict: $0.postcodeDistrict) }
        let from = wants("available_from") ? reader.date("available_from") : base?.availableFrom
        let until = wants("available_until") ? reader.date("available_until", required: false) : base?.availableUntil
        let rate = wants("weekly_rate_pence") ? reader.integer("weekly_rate_pence", in: OfferDraft.Limits.weeklyRatePence) : base?.weeklyRatePence
        var urn = wants("ofsted_urn") ? reader.string("ofsted_urn", required: false, maxLength: 10) : base?.ofstedURN
        if let text = urn, reader.has("ofsted_urn"), let problem = OfferDraft.problem(ofstedURN: text) {
            reader.fail(problem.field, problem.message)
            urn = nil
        }
        try reader.throwIfInvalid()
        guard let setting, let capacity, let needs, let ageMin, let ageMax, let sexes, let location, let from, let rate else {
            throw Problem(status: .unprocessableContent, title: "Invalid request", detail: "required fields are missing")
        }
        let draft = OfferDraft(
            setting: setting, capacity: capacity, needsSupported: needs, ageMin: ageMin, ageMax: ageMax, sexesAccepted: sexes,
            location: location.point, postcodeDistrict: location.postcodeDistrict, availableFrom: from, availableUntil: until,
            weeklyRatePence: rate, ofstedURN: urn
        )
        try reader.throwIfInvalid(adding: draft.problems)
        return draft
    }

    @Sendable func create(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        var reader = try await BodyReader.parse(request, context: context)
        let draft = try self.draft(from: &reader, base: nil)
        return try await IdempotentWrite.perform(request, body: reader.rawBody, context: context, caller: caller, database: database) { connection in
            let record = try OfferRepository.create(draft, authority: caller.authority, actor: caller.actor, on: connection)
            return StoredResponse(status: 201, body: JSONResponse.data(OfferJSON(record)))
        }
    }

    @Sendable func list(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        var query = QueryReader(request)
        var filter = OfferFilter()
        filter.limit = query.limit()
        filter.after = query.cursor()
        filter.status = query.code("status", as: OfferStatus.self) ?? .open
        filter.setting = query.code("setting", as: Setting.self)
        filter.need = query.code("need", as: Need.self)
        if let near = query.query["near"] {
            let fields = near.split(separator: ",", omittingEmptySubsequences: false)
            let parts = fields.compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            if fields.count == 2, parts.count == 2, (49.8...60.9).contains(parts[0]), (-8.7...1.8).contains(parts[1]) {
                filter.near = Coordinate(lat: parts[0], lon: parts[1])
            } else {
                query.fail("near", "must be lat,lon within the UK, e.g. near=51.41,-0.75")
            }
        }
        filter.withinKm = query.number("within_km", in: 0...2000)
        if filter.withinKm != nil, query.query["near"] == nil {
            query.fail("within_km", "needs near=lat,lon")
        }
        try query.throwIfInvalid()
        if filter.status != .open, caller.role != .operator {
            filter.authority = caller.authority
        }
        let scope = caller.scope
        let page = try await database.transaction(scope: scope) { [filter] connection in
            try OfferRepository.list(filter, on: connection)
        }
        return JSONResponse.make(PageJSON(page, limit: filter.limit, OfferJSON.init))
    }

    @Sendable func show(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        let id = try context.resourceID("offer")
        let record = try await database.transaction(scope: caller.scope) { connection in
            try OfferRepository.find(id, on: connection)
        }
        guard let record, record.status == .open || record.authority == caller.authority || caller.role == .operator else {
            throw Problem(status: .notFound, title: "Not found", detail: "no such offer")
        }
        return JSONResponse.make(OfferJSON(record))
    }

    @Sendable func update(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        let id = try context.resourceID("offer")
        let expected = try request.expectedVersion()
        let reader = try await BodyReader.parse(request, context: context)
        let routes = self
        let record = try await database.transaction(scope: caller.scope) { connection in
            guard let current = try OfferRepository.lockOwn(id, authority: caller.ownedAuthority, on: connection) else {
                throw Problem(status: .notFound, title: "Not found", detail: "no offer \(id.uuidString.lowercased()) of yours")
            }
            try Self.check(version: expected, of: current.version)
            var reader = reader
            let draft = try routes.draft(from: &reader, base: current.draft)
            return try OfferRepository.update(current, to: draft, actor: caller.actor, on: connection)
        }
        return JSONResponse.make(OfferJSON(record))
    }

    @Sendable func withdraw(_ request: Request, context: HearthRequestContext) async throws -> Response {
        let caller = try context.requireCaller([.placement])
        let id = try context.resourceID("offer")
        let expected = try request.expectedVersion()
        return try await IdempotentWrite.perform(request, body: Data(), context: context, caller: caller, database: database) { connection in
            guard let current = try OfferRepository.lockOwn(id, authority: caller.ownedAuthority, on: connection) else {
                throw Problem(status: .notFound, title: "Not found", detail: "no offer \(id.uuidString.lowercased()) of yours")
            }
            try Self.check(version: expected, of: current.version)
            let record = try OfferRepository.withdraw(current, actor: caller.actor, on: connection)
            return StoredResponse(status: 200, body: JSONResponse.data(OfferJSON(record)))
        }
    }

    /// A stale `If-Match` is a 412: someone changed the resource since the caller read it.
    static func check(version expected: Int?, of current: Int) throws {
        if let expected, expected != current {
            throw Problem(status: .preconditionFailed, title: "Precondition failed", detail: "the resource is at version \(current), not \(expected): read it again and retry")
        }
    }
}
