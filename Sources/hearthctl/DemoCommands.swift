import ArgumentParser
import Foundation
import HearthCLI
import HearthCore
import HearthStore
import HummingbirdBcrypt

/// `hearthctl demo seed`.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Demonstration data.",
        subcommands: [Seed.self]
    )

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the South East demonstration: the 19 members, a placement, scrutiny and finance key for each (printed once), a spread of offers and bids, and demo people to sign in to the web app as.",
            discussion: "Members come from Data/se_authorities.csv; offers and bids are weighted by each member's share of the region's looked-after children and are the same on every run. Members that already exist are kept; keys, offers and bids are added on every run. Demo people (placement, scrutiny and finance at Kent, Surrey and Hampshire, and an operator), all with the password \(Seed.demoPassword), are added when missing."
        )

        @Option(help: "How many offers to post (0 to 5000).") var offers = 60
        @Option(help: "How many bids to post (0 to 5000).") var bids = 80
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            guard (0...5000).contains(offers), (0...5000).contains(bids) else {
                throw ValidationError("--offers and --bids must be from 0 to 5000")
            }
        }

        /// The password of every demo person (Docs/web.md, README).
        static let demoPassword = "hearth-demo-2026"
        /// The members whose demo people are added: Kent, Surrey, Hampshire.
        static let demoPeopleAuthorities = ["E10000016", "E10000030", "E10000014"]

        func run() async throws {
            let members = try SouthEastMembers.load()
            let demoHash = Bcrypt.hash(Self.demoPassword, cost: 12)
            let demoPeople = Self.demoPeople(members: members)
            let market = DemoMarket(members: members, offerCount: offers, bidCount: bids, today: CalendarDate.today())
            let issued = try await withDatabase(database, logging, program: "hearthctl") { database in
                let issued = try await database.transaction(scope: .all) { connection in
                    var keys: [IssuedKey] = []
                    for member in members {
                        if try AuthorityRepository.find(code: member.code, on: connection) == nil {
                            try AuthorityRepository.add(member, actor: .operatorCLI, on: connection)
                        }
                        for role in [KeyRole.placement, .scrutiny, .finance] {
                            keys.append(try APIKeyRepository.issue(authority: member.code, role: role, actor: .operatorCLI, on: connection))
                        }
                    }
                    for (authority, draft) in market.offers {
                        _ = try OfferRepository.create(draft, authority: authority, actor: .operatorCLI, on: connection)
                    }
                    for (authority, draft) in market.bids {
                        _ = try BidRepository.create(draft, authority: authority, actor: .operatorCLI, on: connection)
                    }
                    return keys
                }
                // People are administered as the schema's owner, outside the scoped role.
                try await database.pool.withTransaction { connection in
                    let existing = Set(try UserRepository.all(on: connection).map { $0.email.lowercased() })
                    for person in demoPeople where !existing.contains(person.email) {
                        _ = try UserRepository.add(
                            email: person.email, name: person.name, authority: person.authority, role: person.role, passwordHash: demoHash,
                            actor: .operatorCLI, on: connection
                        )
                    }
                }
                return issued
            }
            print("seeded \(members.count) South East members, \(market.offers.count) offers and \(market.bids.count) bids; keys (shown once):")
            print(Table.render(
                header: ["AUTHORITY", "ROLE", "KEY"],
                rows: issued.map { [$0.record.authority, $0.record.role.rawValue, $0.secret] }
            ))
            print("demo people for the web app (password \(Self.demoPassword)):")
            print(Table.render(header: ["AUTHORITY", "ROLE", "EMAIL"], rows: demoPeople.map { [$0.authority, $0.role.rawValue, $0.email] }))
        }

        /// One placement, scrutiny and finance person at each demo member, and one operator.
        static func demoPeople(members: [Authority]) -> [(email: String, name: String, authority: String, role: KeyRole)] {
            var people: [(String, String, String, KeyRole)] = []
            for member in members where demoPeopleAuthorities.contains(member.code) {
                let slug = member.name.lowercased().filter { $0.isLetter }
                for role in [KeyRole.placement, .scrutiny, .finance] {
                    people.append(("\(role.rawValue)@\(slug).demo.example", "\(member.name) \(role.rawValue) officer", member.code, role))
                }
            }
            if let first = members.first(where: { demoPeopleAuthorities.contains($0.code) }) {
                people.append(("operator@hearth.demo.example", "Exchange operator", first.code, .operator))
            }
            return people
        }
    }
}

/// The South East members of `Data/se_authorities.csv`, compiled into the program.
enum SouthEastMembers {
    static func load() throws -> [Authority] {
        let text = try HearthResources.text(of: "Data/se_authorities.csv")
        var members: [Authority] = []
        for (index, line) in text.split(whereSeparator: \.isNewline).enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5, let lat = Double(fields[2]), let lon = Double(fields[3]) else {
                throw ValidationError("se_authorities.csv line \(index + 1) is not code,name,lat,lon,share")
            }
            members.append(Authority(code: fields[0], name: fields[1], lat: lat, lon: lon, lacSharePct: Double(fields[4])))
        }
        return members
    }
}
