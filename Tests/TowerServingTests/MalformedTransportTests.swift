import Foundation
import Hummingbird
import Testing
@testable import TowerServing
#if canImport(Glibc)
import Glibc
#endif

/// Bytes the HTTP layer itself cannot parse — a malformed chunked body — get a 400 JSON error,
/// never a 500 (the hostile trial's finding). Sent over a raw loopback socket, since the test
/// clients only send well-formed requests.
@Suite struct MalformedTransportTests {
    /// A TCP socket connected to 127.0.0.1:`port`.
    static func connectLoopback(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        return fd
    }

    /// Sends `bytes` to 127.0.0.1:`port` and returns what comes back until the server closes or 2 s pass.
    static func exchange(_ bytes: String, port: Int) throws -> String {
        let fd = Self.connectLoopback(port: port)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let sent = Array(bytes.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        #expect(sent == bytes.utf8.count)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received += buffer[0..<n]
            if let text = String(bytes: received, encoding: .utf8), text.contains("\r\n\r\n"), text.contains("}") { break }
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Opens a loopback connection, sends `bytes`, and returns whether the server closed it
    /// (end of stream, nothing answered) before `seconds` passed.
    static func serverCloses(after bytes: String, port: Int, within seconds: Int) -> Bool {
        let fd = Self.connectLoopback(port: port)
        defer { close(fd) }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let sent = Array(bytes.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        #expect(sent == bytes.utf8.count)
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n == 0  // 0: closed by the server; < 0: still open when the receive timed out
    }

    /// A client that sends half a request and stalls (or a slowloris trickling its head) is
    /// disconnected after `--idle-timeout`, instead of holding the connection forever.
    @Test func aStalledHalfSentRequestIsDisconnected() async throws {
        let fixture = try ServingFixture.get()
        let service = try await makeService(fixture.a) { $0.port = 0; $0.idleTimeoutSeconds = 0.3 }
        try await withLiveServer(service) { port, group in
            // Head complete, body cut short.
            #expect(Self.serverCloses(after: "POST /v1/recommend HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"user", port: port, within: 20))
            // Head cut short.
            #expect(Self.serverCloses(after: "POST /v1/recommend HTTP/1.1\r\nHost: x\r\nContent-Le", port: port, within: 20))
            await group.triggerGracefulShutdown()
        }
    }

    @Test func aMalformedChunkedBodyIs400() async throws {
        let fixture = try ServingFixture.get()
        let service = try await makeService(fixture.a) { $0.port = 0 }
        try await withLiveServer(service) { port, group in
            let answer = try Self.exchange(
                "POST /v1/recommend HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n", port: port)
            #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer.prefix(200))")
            #expect(answer.contains("\"malformed_request\""), "\(answer)")
            await group.triggerGracefulShutdown()
        }
    }
}
