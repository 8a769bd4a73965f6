import ArgumentParser
import HearthCLI
import HearthSettlement
import HearthStore

/// `hearthctl ledger balances|verify`.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "The settlement ledger: balances and invariant checks.",
        subcommands: [Balances.self, Verify.self]
    )

    struct Balances: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every account's balance (positive: the exchange owes the authority; negative: the authority owes).",
            discussion: "With --period, only the month's movements: placement nights by the night's month, contributions by the April their year starts."
        )

        @Option(help: "Only this month's movements, YYYY-MM.") var period: String?
        @Flag(help: "Print JSON: [{\"authority\": code, \"balance_pence\": n}].") var json = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func validate() throws {
            if let period, Period(period) == nil { throw ValidationError("--period must be a month YYYY-MM (got \"\(period)\")") }
        }

        func run() async throws {
            let month = period.flatMap(Period.init)
            let (balances, names) = try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.transaction(scope: .all) { connection in
                    (try LedgerBalances.balances(period: month, on: connection), try AuthorityRepository.namesByCode(on: connection))
                }
            }
            if json {
                print(try JSONOutput.encode(balances))
                return
            }
            print(Table.render(
                header: ["AUTHORITY", "NAME", "BALANCE", "PENCE"],
                rows: balances.map {
                    [$0.authority, $0.authority == Ledger.rccAccount ? "Regional Care Cooperative" : names[$0.authority] ?? "", ContributionTable.pounds($0.balancePence), String($0.balancePence)]
                }
            ))
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every ledger invariant; exit 1 on any breach.",
            discussion: "Entries balance; balances sum to zero; no night booked twice; every night within a placement's dates with the right amounts; reversals exact; contributions to the RCC; nothing edited (triggers, privileges, seals). Prints the ledger checksum."
        )

        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var logging: LoggingOptions

        func run() async throws {
            let verification = try await withDatabase(database, logging, program: "hearthctl") { database in
                try await database.pool.withConnection { try LedgerVerifier.verify(on: $0) }
            }
            if json {
                print(try JSONOutput.encode(verification))
            } else {
                for check in verification.checks {
                    print("\(check.passed ? "ok  " : "FAIL") \(check.name): \(check.summary)")
                    for breach in check.breaches { print("       \(breach)") }
                }
                print("ledger checksum: \(verification.checksum)")
            }
            guard verification.passed else {
                throw ExitCode.failure
            }
        }
    }
}
