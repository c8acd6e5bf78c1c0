#pragma once
// Peers for the 1xx and 101 tests (ROUND_TRIP_NOTES §4): an origin that honours (or
// ignores) `Expect: 100-continue` and reports what body it got, 1xx heads as bytes, and a
// client that can half-close its side of a tunnel, which RawClient does not offer.
#include <cstdint>
#include <string>
#include <string_view>

#include "harness/buffered_reader.hpp"
#include "harness/http_text.hpp"
#include "harness/scripted_upstream.hpp"
#include "harness/socket.hpp"

namespace rtproxy::integration {

// "HTTP/1.1 103 Early Hints\r\nLink: ...\r\n\r\n": an interim head has no body.
std::string interim_head(int status, std::string_view reason, const FieldList& fields = {});

// How many times `needle` occurs in `haystack` (non-overlapping).
std::size_t count_occurrences(std::string_view haystack, std::string_view needle);

// The answer an upload origin gives: "bytes=<n> fnv=<hex>", so a client can check that
// exactly its body arrived without printing megabytes.
std::string body_summary(std::string_view body);

// How an upload origin treats `Expect: 100-continue`.
enum class ContinuePolicy {
    send_continue,  // 100 as soon as the head is read, then read the body
    never,          // no 100: read the body whenever it comes (an origin that ignores Expect)
};

// One request per connection: reads the head, answers Expect per `policy`, reads the body
// (Content-Length or chunked, within `body_timeout`), answers 200 with body_summary().
Script measure_upload(ContinuePolicy policy, Millis body_timeout = default_io_timeout);

// A client socket whose sending side can be shut down on its own (the half-close a tunnel
// must pass through), with the same bounded reads as everything else in the harness.
class TunnelClient {
public:
    explicit TunnelClient(std::uint16_t port);
    TunnelClient(const TunnelClient&) = delete;
    TunnelClient& operator=(const TunnelClient&) = delete;

    void send(std::string_view bytes) { socket_.write_all(bytes); }
    // A response head, empty line included (a 101 has no body to read).
    std::string read_head(Millis timeout = default_io_timeout) { return reader_.read_until("\r\n\r\n", timeout); }
    std::string read_exact(std::size_t n, Millis timeout = default_io_timeout) { return reader_.read_exact(n, timeout); }
    std::string read_until_eof(ReadStatus& how, Millis timeout = default_io_timeout) {
        return reader_.read_until_eof(how, timeout);
    }
    void shutdown_write() { socket_.shutdown_write(); }

private:
    Socket socket_;
    BufferedReader reader_;
};

}  // namespace rtproxy::integration
