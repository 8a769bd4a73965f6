import ArgumentParser
import Foundation
import HearthCLI
import HearthStore

/// `hearthctl demo seed`.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Demonstration data.",
        subcommands: [Seed.self]
    )

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the South East demonstration: the 19 members and a placement, scrutiny and finance key for each (printed once).",
            discussion: "Members come from Data/se_authorities.csv. Members that already exist are kept; keys are issued on every run."
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let members = try SouthEastMembers.load()
            let issued = try await withDatabase(database, logging) { database in
                try await database.pool.withTransaction { connection in
                    var keys: [IssuedKey] = []
                    for member in members {
                        if try AuthorityRepository.find(code: member.code, on: connection) == nil {
                            try AuthorityRepository.add(member, actor: .operatorCLI, on: connection)
                        }
                        for role in [KeyRole.placement, .scrutiny, .finance] {
                            keys.append(try APIKeyRepository.issue(authority: member.code, role: role, actor: .operatorCLI, on: connection))
                        }
                    }
                    return keys
                }
            }
            print("seeded \(members.count) South East members; keys (shown once):")
            print(Table.render(
                header: ["AUTHORITY", "ROLE", "KEY"],
                rows: issued.map { [$0.record.authority, $0.record.role.rawValue, $0.secret] }
            ))
        }
    }
}

/// The South East members shipped in `Data/se_authorities.csv`.
enum SouthEastMembers {
    static func load() throws -> [Authority] {
        let file = try HearthResources.home().appendingPathComponent("Data/se_authorities.csv")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw ValidationError("cannot read \(file.path)")
        }
        var members: [Authority] = []
        for (index, line) in text.split(whereSeparator: \.isNewline).enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5, let lat = Double(fields[2]), let lon = Double(fields[3]) else {
                throw ValidationError("\(file.lastPathComponent) line \(index + 1) is not code,name,lat,lon,share")
            }
            members.append(Authority(code: fields[0], name: fields[1], lat: lat, lon: lon, lacSharePct: Double(fields[4])))
        }
        return members
    }
}
