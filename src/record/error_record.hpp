#pragma once
// An I/O failure, made at the exact place it happened: only that place knows whether it
// was a read or a write and on which side (ROUND_TRIP.md "error").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rtproxy::record {

enum class Op { read, write, connect, tls, resolve };
enum class Peer { client, upstream };
enum class Phase { request_head, request_body, response_head, response_body, interim, tunnel, connect };

constexpr std::string_view to_string(Op v) {
    constexpr std::string_view names[] = {"read", "write", "connect", "tls", "resolve"};
    return names[static_cast<int>(v)];
}
constexpr std::string_view to_string(Peer v) { return v == Peer::client ? "client" : "upstream"; }
constexpr std::string_view to_string(Phase v) {
    constexpr std::string_view names[] = {"request_head",  "request_body", "response_head", "response_body",
                                          "interim",       "tunnel",       "connect"};
    return names[static_cast<int>(v)];
}

struct ErrorRecord {
    Op op = Op::read;
    Peer peer = Peer::upstream;
    Phase phase = Phase::connect;
    std::string kind;     // "reset", "eof", "timeout", "refused", "malformed", "too_large", "tls", "closed", "unresolved"
    std::string message;  // the system or library message, verbatim
    std::uint64_t bytes = 0;
    std::optional<int> attempt;
};

}  // namespace rtproxy::record
