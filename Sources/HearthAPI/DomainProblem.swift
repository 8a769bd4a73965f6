import HearthCore
import Hummingbird

extension Problem {
    /// The problem a broken domain rule answers with: its own status, title, detail and fields.
    init(_ violation: DomainError) {
        self.init(
            status: HTTPResponse.Status(code: violation.status), title: violation.title, detail: violation.detail,
            errors: violation.fieldProblems.map { FieldError(field: $0.field, message: $0.message) }
        )
    }
}

extension ClosedRange where Bound == Int {
    /// The range as `BodyReader.integer` takes it.
    var int64: ClosedRange<Int64> { Int64(lowerBound)...Int64(upperBound) }
}
