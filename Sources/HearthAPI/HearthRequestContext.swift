import HearthStore
import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the authenticated caller.
public struct HearthRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller behind the request's API key; set by `AuthenticationMiddleware`.
    public var caller: Caller?
    /// True when the client connected from this host (loopback).
    public let isLocalClient: Bool
    /// The client's IP address as text, for throttling; nil when unknown.
    public let clientAddress: String?
    /// The client's connection, closed when the client is too slow to send its body.
    let channel: any Channel

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.caller = nil
        self.channel = source.channel
        self.clientAddress = source.channel.remoteAddress?.ipAddress
        switch source.channel.remoteAddress {
        case .v4(let address)?: self.isLocalClient = address.host.hasPrefix("127.")
        case .v6(let address)?: self.isLocalClient = address.host == "::1" || address.host.hasPrefix("::ffff:127.")
        case .unixDomainSocket?: self.isLocalClient = true
        case nil: self.isLocalClient = false
        }
    }

    /// Bodies larger than this are refused with 413 before they are read.
    public var maxUploadSize: Int { 64 * 1024 }

    /// The caller, who must hold one of `roles` (operator keys hold every role).
    func requireCaller(_ roles: Set<KeyRole>) throws -> Caller {
        guard let caller else {
            throw Problem(status: .unauthorized, title: "Unauthorized", detail: "send an API key as Authorization: Bearer <key>")
        }
        guard caller.role == .operator || roles.contains(caller.role) else {
            let allowed = roles.map(\.rawValue).sorted().joined(separator: " or ")
            throw Problem(status: .forbidden, title: "Forbidden", detail: "this needs a \(allowed) key; yours is a \(caller.role.rawValue) key")
        }
        return caller
    }
}
