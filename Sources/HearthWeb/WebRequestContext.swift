import HearthAPI
import HearthStore
import Hummingbird

/// The context of a web page's request: the API's context (same request id, logger, client
/// address) plus the signed-in person's session, set by the web app's session middleware.
public struct WebRequestContext: ChildRequestContext {
    public typealias ParentContext = HearthRequestContext

    public var coreContext: CoreRequestContextStorage
    /// The client's IP address as text, for throttling sign-ins; nil when unknown.
    public let clientAddress: String?
    /// The browser's session when it is signed in (nil on the sign-in and set-up pages).
    public internal(set) var session: WebSession?
    /// The session cookie's token: how the session is found again (flash, sign out).
    var sessionToken: String?

    public init(context: HearthRequestContext) {
        self.coreContext = context.coreContext
        self.clientAddress = context.clientAddress
        self.session = nil
        self.sessionToken = nil
    }

    /// Form bodies larger than this are refused (413) before they are read.
    public var maxUploadSize: Int { WebForm.maxBytes }

    /// The signed-in person, if any.
    public var person: UserRecord? { session?.user }

    /// The signed-in person, who must hold one of `roles` (operators hold every role, as
    /// operator keys do). Throws `WebError.forbidden` otherwise; pages under the signed-in
    /// group always have a person.
    public func requirePerson(_ roles: Set<KeyRole>) throws(WebError) -> UserRecord {
        guard let person else { throw WebError.signInRequired }
        guard person.role == .operator || roles.contains(person.role) else {
            let allowed = roles.map(\.rawValue).sorted().joined(separator: " or ")
            throw WebError.forbidden("This page is for \(allowed) staff. You are signed in as \(person.role.rawValue).")
        }
        return person
    }

    /// The `Caller` the repositories take for the signed-in person who must hold one of
    /// `roles`: row-level security, domain rules and audit are exactly the API's, with the
    /// person as the credential.
    public func requireCaller(_ roles: Set<KeyRole>) throws(WebError) -> Caller {
        try requirePerson(roles).caller
    }
}
