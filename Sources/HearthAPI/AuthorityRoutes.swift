import HearthStore
import Hummingbird

/// `GET /v1/authorities`: the members, for any key.
struct AuthorityRoutes {
    let database: HearthDatabase

    private struct Listed: Encodable {
        let code: String
        let name: String
        let location: Location
        let active: Bool
    }

    private struct Location: Encodable {
        let lat: Double
        let lon: Double
    }

    private struct Page: Encodable {
        let items: [Listed]
    }

    func register(on group: RouterGroup<HearthRequestContext>) {
        group.get("authorities") { _, context in
            _ = try context.requireCaller(Set(KeyRole.allCases))
            let authorities = try await database.pool.withConnection { try AuthorityRepository.all(on: $0) }
            return try JSONResponse.make(Page(items: authorities.map {
                Listed(code: $0.code, name: $0.name, location: Location(lat: $0.lat, lon: $0.lon), active: $0.active)
            }))
        }
    }
}
