#pragma once
// The client's request body: read from the client once, streamed to the first attempt as
// it arrives (no added latency) and teed into a replay buffer up to --buffer-body, so a
// retry can send it again (ROUND_TRIP_NOTES §3, Caddy's bufferedBody done as a tee).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "http/body_decoder.hpp"
#include "proxy/client_side.hpp"
#include "proxy/server_context.hpp"
#include "proxy/upstream_connection.hpp"
#include "record/round_trip_record.hpp"

namespace rtproxy::proxy {

class RequestBody {
public:
    RequestBody(ClientSide& client, http::Framing client_framing, const Config& config, BodyBufferBudget& budget);
    ~RequestBody();
    RequestBody(const RequestBody&) = delete;
    RequestBody& operator=(const RequestBody&) = delete;

    // Why the client's side of the body failed, when it did (the error is then the client's).
    enum class ClientFailure {
        none,
        gone,       // the client closed or reset mid-body
        malformed,  // its body broke its own framing
        stalled,    // it sent nothing for --read-body-timeout
    };

    struct SendResult {
        std::optional<record::ErrorRecord> error;  // upstream write, or client read
        ClientFailure client_failure = ClientFailure::none;
        bool head_written = false;                 // the whole head reached the upstream socket
        std::uint64_t body_bytes_written = 0;      // payload bytes this attempt wrote upstream
        record::BodySource source = record::BodySource::none;
    };

    // Writes `head` (which must stay valid until this completes) then the body, framed as
    // `upstream_framing` says (length or chunked: rtproxy's own framing, never the client's
    // bytes for it). A replay writes the buffer first, then continues from the client where
    // the previous attempt stopped.
    asio::awaitable<SendResult> send(UpstreamConnection& upstream, std::string_view head,
                                     http::BodyFraming upstream_framing, int attempt);
    // No body at all (most requests): the head is the whole request. The caller writes it
    // itself and head_only() says what that came to, so a GET costs no coroutine of send()'s.
    bool none() const { return framing_.kind == http::BodyFraming::none; }
    static SendResult head_only(std::error_code ec, int attempt);

    bool fully_read() const { return decoder_.done(); }
    bool started() const { return bytes_from_client_ > 0; }
    bool replayable() const { return !overflowed_; }
    const std::string& not_replayable_reason() const { return not_replayable_reason_; }
    std::uint64_t bytes_received() const { return bytes_from_client_; }
    const http::Fields& trailers() const { return decoder_.trailers(); }
    record::BodyBufferRecord buffer_record() const;
    // When the last body byte arrived from the client (for timings.request_body_ms).
    std::optional<std::chrono::steady_clock::time_point> finished_at() const { return finished_at_; }

private:
    void tee(std::string_view data);

    ClientSide& client_;
    http::BodyDecoder decoder_;
    http::Framing framing_;
    std::uint64_t limit_;
    std::chrono::milliseconds read_timeout_;
    BodyBufferBudget& budget_;
    std::uint64_t reserved_ = 0;
    std::string buffer_;
    bool overflowed_ = false;
    std::string not_replayable_reason_;
    std::uint64_t bytes_from_client_ = 0;
    std::optional<std::chrono::steady_clock::time_point> finished_at_;
};

}  // namespace rtproxy::proxy
