import Foundation
import HearthCore
import HearthStore
import LibPQ

extension PlacementPages {
    /// What a "post a new record" form is: its template and title, its fields, and the field a
    /// refusal about no one field is linked to.
    struct NewRecordForm {
        let template: String
        let title: String
        let spec: FormSpec
        /// The form's most relevant control, for a domain refusal about no field.
        let refusalField: String
    }

    /// Posts a record from a form as the API's POST does (**Post bid**, **Post offer**): a form
    /// with mistakes comes back 422 with what was typed; a valid draft is created by `create`
    /// in the person's scope (the API's repository call, so rules, row-level security and audit
    /// are the same) and the person goes on to `path` of the new record with `notice`; a domain
    /// refusal re-shows the form with its status and the domain's words.
    func postNew<Draft: Sendable>(
        _ page: NewRecordForm, form: FormInput, draft: Result<Draft, FormProblems>, caller: Caller, notice: String,
        create: @escaping @Sendable (Draft, PostgresConnection) throws -> UUID, path: (UUID) -> String
    ) async throws -> PageOutcome {
        switch draft {
        case .failure(let problems):
            return .page(template: page.template, title: page.title, view: NewRecordPage(form: page.spec.view(form, problems: problems.problems)), status: 422)
        case .success(let draft):
            do {
                let id = try await database.transaction(scope: caller.scope) { connection in try create(draft, connection) }
                return .redirect(path: path(id), notice: notice)
            } catch let error as DomainError {
                let links = Self.link(error, to: page.refusalField, spec: page.spec)
                let view = page.spec.view(form, problems: links.map { FieldProblem($0.field, $0.message) })
                return .page(template: page.template, title: page.title, view: NewRecordPage(form: view), status: error.status)
            }
        }
    }
}
