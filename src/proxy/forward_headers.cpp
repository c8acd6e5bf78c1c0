#include "proxy/forward_headers.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace rtproxy::proxy {

namespace {

using http::Field;
using record::HeaderChange;

// True when the comma-separated list `value` holds exactly one element, `token`.
bool is_single_token(std::string_view value, std::string_view token) {
    int elements = 0;
    bool match = false;
    http::for_each_list_element(value, [&](std::string_view element) {
        ++elements;
        match = http::iequals(element, token);
    });
    return elements == 1 && match;
}

bool is_all_zeros(std::string_view value) {
    return !value.empty() && value.find_first_not_of('0') == std::string_view::npos;
}

// The copy being edited, and the record of each edit in the order it was made.
class Edits {
public:
    explicit Edits(const http::Fields& received) {
        // Room for the X-Forwarded-* and framing fields added at the end, and their changes.
        fields_.reserve(received.size() + 4);
        fields_.assign(received.begin(), received.end());
        changes_.reserve(6);
    }

    // Removes every line for which `drop` is true, in wire order, one change per line.
    // In place: the copy is edited several times per request, and each pass used to build
    // a new vector.
    template <class Predicate>
    void remove_if(Predicate&& drop, std::string_view reason) {
        std::size_t kept = 0;
        for (std::size_t i = 0; i < fields_.size(); ++i) {
            if (drop(fields_[i])) {
                record(HeaderChange::Op::remove, fields_[i].name, fields_[i].value, reason);
                continue;
            }
            if (kept != i) fields_[kept] = std::move(fields_[i]);
            ++kept;
        }
        fields_.erase(fields_.begin() + static_cast<std::ptrdiff_t>(kept), fields_.end());
    }

    void remove_all(std::string_view name, std::string_view reason) {
        remove_if([&](const Field& f) { return http::iequals(f.name, name); }, reason);
    }

    // Leaves `name` as one line saying `value`: the first line is rewritten in place (keeping
    // its wire name) unless `same(existing value)` already holds, later lines are removed, and
    // the field is added at the end when absent (unless `add_if_absent` is false).
    template <class Same>
    void set(std::string_view name, const std::string& value, std::string_view reason, Same&& same,
             bool add_if_absent = true) {
        bool first = true;
        std::size_t kept = 0;
        for (std::size_t i = 0; i < fields_.size(); ++i) {
            auto& field = fields_[i];
            if (http::iequals(field.name, name)) {
                if (!first) {
                    record(HeaderChange::Op::remove, field.name, field.value, reason);
                    continue;
                }
                first = false;
                if (!same(field.value)) {
                    field.value = value;
                    record(HeaderChange::Op::replace, field.name, value, reason);
                }
            }
            if (kept != i) fields_[kept] = std::move(field);
            ++kept;
        }
        fields_.erase(fields_.begin() + static_cast<std::ptrdiff_t>(kept), fields_.end());
        if (first && add_if_absent) add(name, value, reason);
    }

    void set(std::string_view name, const std::string& value, std::string_view reason) {
        set(name, value, reason, [&](std::string_view existing) { return existing == value; });
    }

    void add(std::string_view name, std::string_view value, std::string_view reason) {
        // Copied from the change just recorded: `name` or `value` may be a view into a line
        // of fields_, which the emplace below can move.
        const auto& change = record(HeaderChange::Op::add, name, value, reason);
        auto& field = fields_.emplace_back();
        field.name.assign(change.name);
        field.value.assign(change.value);
    }

    http::Fields fields() && {
        http::Fields out;
        out.list() = std::move(fields_);
        return out;
    }
    std::vector<HeaderChange> changes() && { return std::move(changes_); }
    const std::vector<Field>& current() const { return fields_; }

private:
    // Built in place, as Fields::add does, not assembled and moved in.
    const HeaderChange& record(HeaderChange::Op op, std::string_view name, std::string_view value,
                               std::string_view reason) {
        auto& change = changes_.emplace_back();
        change.op = op;
        change.name.assign(name);
        change.value.assign(value);
        change.reason = reason;
        return change;
    }

    std::vector<Field> fields_;
    std::vector<HeaderChange> changes_;
};

// The value of the first line of `name` in the copy as it stands, if any.
const std::string* first_value(const std::vector<Field>& fields, std::string_view name) {
    for (const auto& field : fields)
        if (http::iequals(field.name, name)) return &field.value;
    return nullptr;
}

// All lines of `name` in the copy as it stands, joined with ", " (RFC 9110 §5.3).
std::string joined_value(const std::vector<Field>& fields, std::string_view name) {
    std::string out;
    for (const auto& field : fields)
        if (http::iequals(field.name, name)) {
            if (!out.empty()) out += ", ";
            out += field.value;
        }
    return out;
}

// Steps 1 and 2, shared by requests and responses. `keep_te` / `keep_upgrade` name the two
// hop-by-hop fields that survive in a rewritten form; the caller rewrites them afterwards.
void remove_hop_by_hop(Edits& edits, const http::Fields& received, bool keep_te, bool keep_upgrade) {
    // RFC 9110 §7.6.1: a proxy must remove the fields the Connection header names. Host is
    // exempt (a request without it is invalid, RFC 9112 §3.2; Go keeps it outside its header
    // map for the same effect), and the fields step 2 handles by name are left to step 2.
    const ConnectionTokens tokens(received);
    edits.remove_if(
        [&](const Field& f) {
            if (http::iequals(f.name, "Host") || http::iequals(f.name, "Connection")) return false;
            if (keep_te && http::iequals(f.name, "TE")) return false;
            if (keep_upgrade && http::iequals(f.name, "Upgrade")) return false;
            return tokens.names(f.name);
        },
        "connection-token");

    edits.remove_if(
        [&](const Field& f) {
            if (keep_te && http::iequals(f.name, "TE")) return false;
            if (keep_upgrade && (http::iequals(f.name, "Connection") || http::iequals(f.name, "Upgrade")))
                return false;
            return is_hop_by_hop(f.name);
        },
        "hop-by-hop");
}

// Leaves exactly `Connection: Upgrade` (any spelling of the single token counts as unchanged).
void keep_connection_upgrade(Edits& edits) {
    edits.set("Connection", "Upgrade", "hop-by-hop",
              [](std::string_view existing) { return is_single_token(existing, "upgrade"); });
}

// RFC 9110 §7.2 / Go's SetXForwarded: who the client is, as far as rtproxy can vouch for it.
void add_forwarded_fields(Edits& edits, const http::Fields& received, const ForwardContext& context,
                          ForwardedRequest& out) {
    // X-Forwarded-For from an untrusted peer is a spoofing vector: only the peer's own
    // address is sent. A trusted proxy's chain is kept and extended (Caddy's trusted_proxies).
    if (context.peer_trusted && first_value(edits.current(), "X-Forwarded-For"))
        edits.set("X-Forwarded-For", joined_value(edits.current(), "X-Forwarded-For") + ", " + context.peer_ip,
                  "x-forwarded-for");
    else
        edits.set("X-Forwarded-For", context.peer_ip, "x-forwarded-for");

    const std::string proto = context.client_tls ? "https" : "http";
    if (context.peer_trusted && first_value(edits.current(), "X-Forwarded-Proto")) {
        out.x_forwarded_proto = joined_value(edits.current(), "X-Forwarded-Proto");
    } else {
        edits.set("X-Forwarded-Proto", proto, "x-forwarded-proto");
        out.x_forwarded_proto = proto;
    }

    if (context.peer_trusted && first_value(edits.current(), "X-Forwarded-Host")) return;
    if (const auto* host = received.find("Host"))
        edits.set("X-Forwarded-Host", host->value, "x-forwarded-host");
    else  // HTTP/1.0 without Host: nothing to vouch for, and a client's claim is not passed on
        edits.remove_all("X-Forwarded-Host", "x-forwarded-host");
}

// The copy's framing is rtproxy's own (RFC 9112 §6.1: Transfer-Encoding is hop-by-hop, and an
// intermediary re-frames what it forwards), so Content-Length / Transfer-Encoding say what
// rtproxy will really write.
void set_framing(Edits& edits, const http::Framing& framing) {
    switch (framing.kind) {
        case http::BodyFraming::length:
            edits.set("Content-Length", std::to_string(framing.content_length), "framing");
            break;
        case http::BodyFraming::chunked:
            // RFC 9112 §6.3: a message with Transfer-Encoding must not carry Content-Length.
            edits.remove_all("Content-Length", "framing");
            edits.add("Transfer-Encoding", "chunked", "framing");
            break;
        case http::BodyFraming::none:
        case http::BodyFraming::close:  // not a request framing; treated as "no body"
            // `Content-Length: 0` says the same as no framing at all, so a client's is kept.
            if (const auto* length = first_value(edits.current(), "Content-Length"); length && is_all_zeros(*length))
                edits.set("Content-Length", "0", "framing");
            else
                edits.remove_all("Content-Length", "framing");
            break;
    }
}

}  // namespace

// RFC 2616 §13.5.1's list as Go's httputil and Caddy keep it: RFC 9110 only requires the
// Connection-named ones to go, but senders still rely on these being dropped without naming
// them. "Trailer" (not "Trailers", RFC 2616 erratum 4522). Proxy-Connection: curl still sends it.
bool is_hop_by_hop(std::string_view name) {
    // Every field of every message passes here: the names differ in length but for two
    // pairs, so the length picks the one or two to compare.
    switch (name.size()) {
        case 2: return http::iequals(name, "TE");
        case 7: return http::iequals(name, "Trailer") || http::iequals(name, "Upgrade");
        case 10: return http::iequals(name, "Connection") || http::iequals(name, "Keep-Alive");
        case 16: return http::iequals(name, "Proxy-Connection");
        case 17: return http::iequals(name, "Transfer-Encoding");
        case 18: return http::iequals(name, "Proxy-Authenticate");
        case 19: return http::iequals(name, "Proxy-Authorization");
        default: return false;
    }
}

ForwardedRequest forward_request_headers(const http::Fields& received, const ForwardContext& context) {
    ForwardedRequest out;
    Edits edits(received);

    // Go (issue 21096) and Caddy: trailers support is advertised upstream only when the client
    // said it can take them; other TE codings are for this hop only.
    const bool te_trailers = received.has_token("TE", "trailers");
    // Go's upgradeType: an upgrade is asked for by the `upgrade` Connection token together
    // with an Upgrade field; both must reach the upstream for it to answer 101.
    const bool upgrade = received.has_token("Connection", "upgrade") && received.find("Upgrade") != nullptr;

    remove_hop_by_hop(edits, received, te_trailers, upgrade);
    if (te_trailers)
        edits.set("TE", "trailers", "te",
                  [](std::string_view existing) { return is_single_token(existing, "trailers"); });
    if (upgrade) {
        keep_connection_upgrade(edits);
        out.upgrade = received.joined("Upgrade");
        edits.set("Upgrade", *out.upgrade, "hop-by-hop");
    }

    add_forwarded_fields(edits, received, context, out);
    set_framing(edits, context.framing);

    out.expect_continue = received.has_token("Expect", "100-continue");
    out.changes = std::move(edits).changes();
    out.headers = std::move(edits).fields();
    return out;
}

ConnectionTokens::ConnectionTokens(const http::Fields& fields) : fields_(fields) {
    for (const auto& field : fields)
        if (http::iequals(field.name, "Connection"))
            http::for_each_list_element(field.value, [&](std::string_view token) {
                if (count_ < max_tokens)
                    tokens_[count_++] = token;
                else
                    more_ = true;
            });
}

bool ConnectionTokens::names(std::string_view field_name) const {
    for (std::size_t i = 0; i < count_; ++i)
        if (http::iequals(tokens_[i], field_name)) return true;
    return more_ && fields_.has_token("Connection", field_name);
}

bool ResponseFieldFilter::forwards(const http::Field& field) const {
    if (is_hop_by_hop(field.name)) return false;
    if (http::iequals(field.name, "Host")) return true;  // never removed as a Connection token
    return !connection_.names(field.name);
}

http::Fields strip_response_hop_by_hop(const http::Fields& received, bool keep_upgrade) {
    Edits edits(received);
    remove_hop_by_hop(edits, received, /*keep_te=*/false, keep_upgrade);
    if (keep_upgrade) keep_connection_upgrade(edits);
    return std::move(edits).fields();
}

}  // namespace rtproxy::proxy
