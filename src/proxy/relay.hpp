#pragma once
// Copies a response body from the upstream to the client. The loop is the one place that
// knows which side failed: a read error is the upstream's, a write error the client's
// (ROUND_TRIP_NOTES §5). It never holds bytes back: every piece read is written at once.
#include <cstdint>
#include <optional>
#include <string>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "http/body_decoder.hpp"
#include "proxy/upstream_pool.hpp"
#include "record/error_record.hpp"

namespace rtproxy::proxy {

// How the client receives the body.
enum class ClientFraming {
    none,       // no body (HEAD, 1xx, 204, 304)
    length,     // Content-Length, bytes as they come
    chunked,    // rtproxy's own chunks (upstream chunked, or close-delimited to an HTTP/1.1 client)
    close,      // bytes as they come, then the client connection is closed (HTTP/1.0 client)
};

struct RelayResult {
    std::optional<record::ErrorRecord> error;
    bool client_failed = false;       // the error is a client write
    bool head_written = false;        // the response head reached the client
    std::uint64_t body_bytes = 0;     // payload bytes read from the upstream
    http::Fields trailers;
};

// The body when all of it is already read with the head (no body, or a Content-Length body
// no bigger than what arrived): the caller writes head and body at once and asks
// relayed_at_once() what that came to, without relay_response's coroutine. nullopt: stream
// it with relay_response.
std::optional<std::string_view> body_read_with_head(const UpstreamConnection& upstream, http::Framing upstream_framing);
// What writing the head and that whole body came to, as relay_response would record it; the
// caller consumes the body from the upstream's buffer either way.
RelayResult relayed_at_once(std::error_code ec, std::uint64_t body_bytes, int attempt);

// Writes `head` (already serialised) with the first body bytes, then the rest of the body.
asio::awaitable<RelayResult> relay_response(UpstreamConnection& upstream, Stream& client,
                                            std::string head, http::Framing upstream_framing,
                                            ClientFraming client_framing, const http::Limits& limits, int attempt);

}  // namespace rtproxy::proxy
