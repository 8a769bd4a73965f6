import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A bare TCP connection to hearthd, for requests URLSession will not send: broken chunked
/// encoding, half a request, a client that vanishes mid-body, header bytes sent as they are.
final class RawConnection {
    private let descriptor: Int32

    /// Connects to `127.0.0.1:port`.
    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RawHTTPError("no socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw RawHTTPError("cannot connect to port \(port)")
        }
    }

    deinit { close(descriptor) }

    /// Sends `bytes` as they are.
    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBufferPointer { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw RawHTTPError("send failed") }
            sent += written
        }
    }

    /// Sends `text` as UTF-8.
    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads until the server closes the connection or `timeout` seconds pass. Returns what was
    /// read and whether the server closed the connection.
    func readUntilClosed(timeout: Double) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            guard poll(&poller, 1, remaining) > 0 else { continue }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += buffer[0..<count]
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    /// Reads one response head (status line and headers) within `timeout` seconds; the status
    /// code, or nil if none came.
    func readStatus(timeout: Double) -> Int? {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var byte: UInt8 = 0
        while Date() < deadline, !received.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)) {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000))) > 0 else { continue }
            guard recv(descriptor, &byte, 1, 0) == 1 else { break }
            received.append(byte)
        }
        let line = String(decoding: received, as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = line.split(separator: " ")
        return parts.count >= 2 && parts[0].hasPrefix("HTTP/1.") ? Int(parts[1]) : nil
    }
}

/// The status code at the start of a raw HTTP response, or nil.
func statusCode(of response: String) -> Int? {
    let parts = (response.split(separator: "\r\n").first ?? "").split(separator: " ")
    return parts.count >= 2 ? Int(parts[1]) : nil
}

/// The port of an `http://127.0.0.1:<port>` URL.
func port(of baseURL: String) -> Int {
    Int(baseURL.split(separator: ":").last ?? "") ?? 0
}

struct RawHTTPError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
