import Foundation

/// A clearing snapshot, and optionally a solver's result for it, as one JSON document: for
/// reproducing a round, and for checking the solver with independent tools
/// (`Tests/scripts/check_solver_scipy.py`).
///
/// Shape: `{"format": "hearth-clearing-instance/1", "instance": {"today": "YYYY-MM-DD",
/// "bids": [...], "offers": [...], "declined": [{"bidID", "offerID"}]}, "result": {"proposals":
/// [...], "summary": {...}}}`. Bids and offers use the field names of `ClearingBid` and
/// `ClearingOffer`; coordinates are `{"lat", "lon"}`; dates are ISO strings; money is integer
/// pence; `waitingSince` is seconds since 2001-01-01 UTC; absent optional fields are omitted.
public struct ClearingInstanceFile: Sendable, Hashable, Codable {
    /// The format tag written to, and required in, every file.
    public static let currentFormat = "hearth-clearing-instance/1"

    /// The format tag.
    public var format: String
    /// The snapshot.
    public var instance: ClearingInstance
    /// The solver's answer, if recorded.
    public var result: ClearingResult?

    /// Creates a file for `instance`, with `result` if given.
    public init(instance: ClearingInstance, result: ClearingResult? = nil) {
        self.format = Self.currentFormat
        self.instance = instance
        self.result = result
    }

    /// The file as JSON (keys sorted, so equal files encode to equal bytes up to set order).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads a file written by `encoded()`; throws if the JSON or the format tag is wrong.
    public static func decode(from data: Data) throws -> ClearingInstanceFile {
        let file = try JSONDecoder().decode(ClearingInstanceFile.self, from: data)
        guard file.format == currentFormat else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown format \(file.format)"))
        }
        return file
    }
}
