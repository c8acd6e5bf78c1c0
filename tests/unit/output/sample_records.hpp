#pragma once
// Records used across the output tests: one with every optional part present, and the
// smallest real one (a 400 rtproxy made itself before forwarding anything).
#include <chrono>

#include "record/events.hpp"
#include "record/round_trip_record.hpp"

namespace rtproxy::output::test {

using namespace std::chrono_literals;
using namespace rtproxy::record;

// 2024-05-01T12:34:56.123456Z
inline std::chrono::system_clock::time_point sample_ts() {
    return std::chrono::system_clock::time_point{} + std::chrono::seconds{1714566896} + 123456us;
}

inline RoundTripRecord full_record() {
    RoundTripRecord r;
    r.id = 12;
    r.ts = sample_ts();
    r.client = {"127.0.0.1", 51234, 3, 2, true};
    r.request.method = "POST";
    r.request.target = "/api/users?x=1";
    r.request.version = "HTTP/1.1";
    r.request.headers = {{"Host", "localhost:8080"}, {"Connection", "keep-alive"}, {"X-Dup", "a"}, {"x-dup", "b"},
                         {"Transfer-Encoding", "chunked"}};
    r.request.body_bytes = 5;
    r.request.body_framing = http::BodyFraming::chunked;
    r.request.trailers = {{"X-Checksum", "abc"}};

    UpstreamRequestRecord up;
    static_cast<MessageRecord&>(up) = r.request;
    up.headers = {{"Host", "localhost:8080"}, {"X-Dup", "a"}, {"x-dup", "b"}, {"Transfer-Encoding", "chunked"},
                  {"X-Forwarded-For", "127.0.0.1"}};
    up.changes = {{HeaderChange::Op::remove, "Connection", "keep-alive", "hop-by-hop"},
                  {HeaderChange::Op::add, "X-Forwarded-For", "127.0.0.1", "x-forwarded-for"},
                  {HeaderChange::Op::replace, "Via", "1.1 rtproxy", "via"}};
    r.upstream_request = up;
    r.x_forwarded_proto = "https";
    r.upstream = {"http", "127.0.0.1", 9000};
    r.body_buffer = {true, 5, 1048576, true};

    AttemptRecord first;
    first.n = 1;
    first.backoff_ms = 0;
    first.started_ms = 0.25;
    first.conn = ConnRecord{false, std::nullopt, "127.0.0.1:9000"};
    first.timings.connect_ms = 0.5;
    first.body_source = BodySource::none;
    first.error = ErrorRecord{Op::connect, Peer::upstream, Phase::connect, "refused", "Connection refused", 0, 1};
    first.retry = {RetryDecision::Decision::retry, "connect refused; request not sent"};

    AttemptRecord second;
    second.n = 2;
    second.backoff_ms = 100;
    second.started_ms = 100.75;
    second.conn = ConnRecord{true, "127.0.0.1:40000", "127.0.0.1:9000"};
    second.timings = {std::nullopt, 0.125, std::nullopt, 1.5, 2};
    second.body_source = BodySource::buffer;
    second.request_body_bytes_written = 5;
    second.status = 200;
    second.retry = {RetryDecision::Decision::not_needed, ""};
    r.attempts = {first, second};

    r.interim = {{103, "Early Hints", {{"Link", "</s.css>; rel=preload"}}, 1.25, 2, true}};

    ResponseRecord response;
    response.status = 200;
    response.reason = "OK";
    response.version = "HTTP/1.1";
    response.headers = {{"Content-Type", "application/json"}, {"Content-Length", "5120"}};
    response.body_bytes = 5120;
    response.body_framing = http::BodyFraming::length;
    response.source = ResponseRecord::Source::upstream;
    r.response = response;

    r.tunnel = TunnelRecord{"websocket", 10, 20, TunnelRecord::ClosedBy::upstream};
    r.errors = {ErrorRecord{Op::write, Peer::client, Phase::response_body, "reset", "Connection reset by peer", 4096,
                            std::nullopt}};
    r.outcome = Outcome::client_abort;
    r.duration_ms = 104.5;
    r.timings = {0.75, 102.0, 102.5, 104.5};
    return r;
}

// A malformed request: rtproxy answered 400 itself and forwarded nothing.
inline RoundTripRecord proxy_made_400() {
    RoundTripRecord r;
    r.id = 1;
    r.ts = sample_ts();
    r.client = {"::1", 40000, 1, 1, false};
    r.request.method = "GET";
    r.request.target = "/";
    r.request.version = "HTTP/1.1";
    r.upstream = {"http", "127.0.0.1", 9000};
    ResponseRecord response;
    response.status = 400;
    response.reason = "Bad Request";
    response.version = "HTTP/1.1";
    response.headers = {{"Content-Length", "0"}, {"Connection", "close"}};
    response.source = ResponseRecord::Source::proxy;
    r.response = response;
    r.errors = {ErrorRecord{Op::read, Peer::client, Phase::request_head, "malformed", "invalid header field name", 0,
                            std::nullopt}};
    r.outcome = Outcome::client_error;
    r.duration_ms = 0.5;
    r.timings = {std::nullopt, std::nullopt, 0.25, 0.5};
    return r;
}

inline ListeningEvent sample_listening() {
    return ListeningEvent{"0.1.0", {{"127.0.0.1", 8080, false}, {"::1", 8443, true}}, {"http", "127.0.0.1", 9000},
                          std::nullopt, 4242};
}

inline ShutdownEvent sample_shutdown() { return ShutdownEvent{"signal SIGINT", 3, {{"connect", 2}, {"read", 1}}, 0, 1500.25}; }

}  // namespace rtproxy::output::test
