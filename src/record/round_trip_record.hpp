#pragma once
// What happened in one round trip, field for field the `round_trip` event of
// ROUND_TRIP.md. A plain value: the proxy fills it, the sinks render it. No I/O here.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/fields.hpp"
#include "http/message.hpp"
#include "record/error_record.hpp"

namespace rtproxy::record {

using Headers = std::vector<http::Field>;
using Millis = std::optional<double>;  // null: "did not happen"

struct ClientInfo {
    std::string addr;
    int port = 0;
    std::uint64_t conn_id = 0;
    std::uint64_t conn_seq = 1;
    bool tls = false;
};

struct MessageRecord {
    std::string method;
    std::string target;
    std::string version;
    Headers headers;
    std::uint64_t body_bytes = 0;
    http::BodyFraming body_framing = http::BodyFraming::none;
    Headers trailers;
};

struct HeaderChange {
    enum class Op { add, remove, replace } op = Op::add;
    std::string name;
    std::string value;
    // "hop-by-hop", "connection-token", "x-forwarded-for", ...: always one of the codes the
    // proxy names as string literals, so a view is enough (no allocation per change).
    std::string_view reason;
};

struct UpstreamRequestRecord : MessageRecord {
    std::vector<HeaderChange> changes;
};

struct UpstreamInfo {
    std::string scheme = "http";
    std::string host;
    int port = 0;
};

struct BodyBufferRecord {
    bool buffered = false;
    std::uint64_t bytes = 0;
    std::uint64_t limit = 0;
    bool replayable = false;
};

struct ConnRecord {
    bool reused = false;
    std::optional<std::string> local;   // "ip:port"
    std::optional<std::string> remote;  // "ip:port"
};

struct AttemptTimings {  // offsets from the attempt's started_ms
    Millis dns_ms, connect_ms, tls_ms, request_written_ms, first_byte_ms;
};

enum class BodySource { none, stream, buffer };

struct RetryDecision {
    enum class Decision { retry, give_up, not_needed } decision = Decision::not_needed;
    std::string reason;
};

struct AttemptRecord {
    int n = 1;
    double backoff_ms = 0;
    double started_ms = 0;
    std::optional<ConnRecord> conn;
    AttemptTimings timings;
    BodySource body_source = BodySource::none;
    std::uint64_t request_body_bytes_written = 0;
    std::optional<int> status;
    std::optional<ErrorRecord> error;
    RetryDecision retry;
};

struct InterimRecord {
    int status = 100;
    std::string reason;
    Headers headers;
    double at_ms = 0;
    int attempt = 1;
    bool forwarded = false;
};

struct ResponseRecord {
    int status = 0;
    std::string reason;
    std::string version;
    Headers headers;
    std::uint64_t body_bytes = 0;
    http::BodyFraming body_framing = http::BodyFraming::none;
    Headers trailers;
    enum class Source { upstream, proxy } source = Source::upstream;
};

struct TunnelRecord {
    std::string protocol;
    std::uint64_t client_to_upstream_bytes = 0;
    std::uint64_t upstream_to_client_bytes = 0;
    enum class ClosedBy { client, upstream, timeout, shutdown } closed_by = ClosedBy::client;
};

enum class Outcome { ok, upstream_error, client_abort, client_error, timeout, proxy_error };

struct RoundTripTimings {
    Millis request_body_ms, upstream_first_byte_ms, response_first_byte_ms, total_ms;
};

struct RoundTripRecord {
    std::uint64_t id = 0;
    std::chrono::system_clock::time_point ts;
    ClientInfo client;
    MessageRecord request;
    std::optional<UpstreamRequestRecord> upstream_request;  // null: nothing was forwarded
    std::optional<std::string> x_forwarded_proto;
    UpstreamInfo upstream;
    BodyBufferRecord body_buffer;
    std::vector<AttemptRecord> attempts;
    std::vector<InterimRecord> interim;
    std::optional<ResponseRecord> response;  // null: nothing could be written to the client
    std::optional<TunnelRecord> tunnel;
    std::vector<ErrorRecord> errors;  // errors not inside an attempt
    Outcome outcome = Outcome::ok;
    double duration_ms = 0;
    RoundTripTimings timings;
};

}  // namespace rtproxy::record
