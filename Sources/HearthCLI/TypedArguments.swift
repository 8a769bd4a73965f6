import ArgumentParser
import Foundation

/// Command-line arguments as people type them.
public enum TypedArguments {
    /// Joins an option and a negative number after it into one argument (`--lon -0.75` becomes
    /// `--lon=-0.75`), so the number is the option's value wherever it appears.
    ///
    /// swift-argument-parser otherwise reads `-0.75` as short options and refuses the option
    /// ("Missing value for '--lon'"). Nothing after a `--` terminator is changed.
    public static func normalised(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--" {
                result.append(contentsOf: arguments[index...])
                break
            }
            let next = arguments.index(after: index)
            if argument.hasPrefix("--"), argument.count > 2, !argument.contains("="),
                next < arguments.endIndex, isNegativeNumber(arguments[next])
            {
                result.append("\(argument)=\(arguments[next])")
                index = arguments.index(after: next)
            } else {
                result.append(argument)
                index = next
            }
        }
        return result
    }

    /// `-0.75`, `-5`, `-.5`: a dash and then a digit, or a dash, a point and a digit.
    static func isNegativeNumber(_ argument: String) -> Bool {
        let rest = argument.utf8.dropFirst()
        guard argument.utf8.first == UInt8(ascii: "-"), let first = rest.first else { return false }
        if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) { return true }
        guard first == UInt8(ascii: "."), let second = rest.dropFirst().first else { return false }
        return (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(second)
    }
}

extension AsyncParsableCommand {
    /// Parses the process's arguments as people type them (see `TypedArguments.normalised`),
    /// runs the command and exits: the `main` of every Hearth program.
    ///
    /// Bad usage is one line on standard error and exit code 64 (no usage block after it:
    /// `--help` shows that); help, version and every other error are as swift-argument-parser
    /// prints them.
    public static func mainAsTyped() async {
        do {
            var command = try parseAsRoot(TypedArguments.normalised(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "bad usage"
            FileHandle.standardError.write(Data("Error: \(message) (see --help)\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
    }
}
