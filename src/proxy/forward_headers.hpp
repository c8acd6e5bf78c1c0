#pragma once
// The header fields of the upstream copy: what a proxy must remove (hop-by-hop, RFC 9110
// §7.6.1), what it adds (X-Forwarded-*), and the framing it writes itself (RFC 9112 §6).
// Pure: no I/O. Every edit is recorded as a HeaderChange, so `changes` explains exactly the
// difference between the request as received and the copy sent upstream (ROUND_TRIP_NOTES §2).
#include <array>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "http/fields.hpp"
#include "http/message.hpp"
#include "record/round_trip_record.hpp"

namespace rtproxy::proxy {

struct ForwardContext {
    std::string peer_ip;        // the client's IP, textual ("127.0.0.1", "::1")
    bool client_tls = false;    // was the client connection TLS
    bool peer_trusted = false;  // peer_ip is in --trusted-proxies
    http::Framing framing;      // how rtproxy will frame the upstream copy's body (none/length/chunked)
};

struct ForwardedRequest {
    http::Fields headers;                       // the upstream copy's fields, wire order kept
    std::vector<record::HeaderChange> changes;  // every edit, in the order made, with reason codes
    std::string x_forwarded_proto;              // the value sent upstream
    std::optional<std::string> upgrade;         // the Upgrade value forwarded when the client asked to upgrade
    bool expect_continue = false;               // client sent Expect: 100-continue (forwarded as is)
};

// ROUND_TRIP_NOTES §2, in that order:
//  1. fields named by a Connection token are removed ("connection-token"; Host is never removed
//     this way: HTTP/1.1 requires it, RFC 9112 §3.2);
//  2. hop-by-hop fields are removed ("hop-by-hop"), except `TE: trailers` ("te") and, when the
//     client asked to upgrade, `Connection: Upgrade` plus its Upgrade value;
//  3. X-Forwarded-For / -Proto / -Host ("x-forwarded-*"), client values trusted only from
//     --trusted-proxies peers;
//  4. Host untouched;
//  5. Content-Length / Transfer-Encoding as `context.framing` says ("framing").
// A field that is replaced keeps its position and its wire name; added fields go at the end.
// Nothing else is added (no Via, User-Agent or Accept-Encoding): a field that is not in
// `changes` was sent exactly as the client sent it.
ForwardedRequest forward_request_headers(const http::Fields& received, const ForwardContext& context);

// ROUND_TRIP_NOTES §5: the same hop-by-hop stripping for responses (and 1xx). `keep_upgrade`
// for a 101 answer: `Connection: Upgrade` and Upgrade stay.
http::Fields strip_response_hop_by_hop(const http::Fields& received, bool keep_upgrade);

// The tokens of a message's Connection fields (RFC 9110 §7.6.1), found once per message:
// both the request copy and the response filter ask for each field whether it is named
// there. Views into `fields`, which must outlive this.
class ConnectionTokens {
public:
    explicit ConnectionTokens(const http::Fields& fields);
    bool names(std::string_view field_name) const;

private:
    static constexpr std::size_t max_tokens = 16;
    std::array<std::string_view, max_tokens> tokens_{};
    std::size_t count_ = 0;
    bool more_ = false;  // beyond max_tokens: those are looked up in fields_
    const http::Fields& fields_;
};

// The same rule, field by field, for the common case (any response but a 101): forwards()
// is true when the client gets `field`. It keeps what strip_response_hop_by_hop(response,
// false) keeps, decided without copying the fields, since every response is filtered this
// way. Holds views into `response`, which must outlive the filter.
class ResponseFieldFilter {
public:
    explicit ResponseFieldFilter(const http::Fields& response) : connection_(response) {}
    bool forwards(const http::Field& field) const;

private:
    ConnectionTokens connection_;
};

// True for the fields RFC 9110 §7.6.1 (and RFC 2616 §13.5.1 before it) calls hop-by-hop, plus
// Proxy-Connection, which curl still sends.
bool is_hop_by_hop(std::string_view name);

}  // namespace rtproxy::proxy
