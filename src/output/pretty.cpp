#include "output/pretty.hpp"

#include <fmt/format.h>

#include <iterator>
#include <string_view>

#include "output/utf8.hpp"
#include "record/names.hpp"

namespace rtproxy::output {

namespace {

using namespace rtproxy::record;

// Raw SGR codes rather than rang: the text is rendered into a string on the proxy thread
// and written later by the writer thread, so there is no ostream to decorate.
struct Palette {
    std::string_view reset, bold, dim, red, green, yellow, blue, magenta, cyan;
};

constexpr Palette ansi{"\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[34m", "\x1b[35m", "\x1b[36m"};
constexpr Palette plain{};

const Palette& palette(bool color) { return color ? ansi : plain; }

// Wire text made safe for a terminal: valid printable UTF-8 as is, anything else \xNN.
void append_display(std::string& out, std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
            ++i;
        } else if (c == '\t') {
            out += ' ';
            ++i;
        } else if (auto n = c >= 0x80 ? utf8::sequence_length(text.substr(i)) : 0; n != 0) {
            out.append(text.data() + i, n);
            i += n;
        } else {
            fmt::format_to(std::back_inserter(out), "\\x{:02X}", c);
            ++i;
        }
    }
}

std::string display(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    append_display(out, text);
    return out;
}

std::string millis(double ms) {
    if (ms < 1) return fmt::format("{:.2f} ms", ms);
    if (ms < 100) return fmt::format("{:.1f} ms", ms);
    if (ms < 10000) return fmt::format("{:.0f} ms", ms);
    return fmt::format("{:.1f} s", ms / 1000);
}

std::string_view status_color(const Palette& p, int status) {
    if (status >= 500) return p.red;
    if (status >= 400) return p.yellow;
    if (status >= 300) return p.cyan;
    if (status >= 200) return p.green;
    return p.blue;
}

std::string_view phase_phrase(Phase phase) {
    switch (phase) {
        case Phase::request_head: return " in request head";
        case Phase::request_body: return " mid request body";
        case Phase::response_head: return " in response head";
        case Phase::response_body: return " mid-body";
        case Phase::interim: return " in interim response";
        case Phase::tunnel: return " in tunnel";
        case Phase::connect: return "";
    }
    return "";
}

std::string_view op_phrase(Op op) {
    switch (op) {
        case Op::read: return "read failed";
        case Op::write: return "write failed";
        case Op::connect: return "connect failed";
        case Op::tls: return "TLS handshake failed";
        case Op::resolve: return "name resolution failed";
    }
    return "failed";
}

// "upstream read failed mid-body (reset) after 5120 bytes: Connection reset by peer"
std::string describe(const ErrorRecord& error) {
    std::string out = fmt::format("{} {}{} ({})", to_string(error.peer), op_phrase(error.op),
                                  phase_phrase(error.phase), display(error.kind));
    if (error.bytes > 0) out += fmt::format(" after {} bytes", error.bytes);
    if (!error.message.empty()) out += ": " + display(error.message);
    return out;
}

void append_headers(std::string& out, const Palette& p, std::string_view prefix, const Headers& headers) {
    for (const auto& field : headers) {
        out += p.dim;
        out += prefix;
        out += p.reset;
        out += p.cyan;
        append_display(out, field.name);
        out += p.reset;
        out += ": ";
        append_display(out, field.value);
        out += '\n';
    }
}

void append_body_note(std::string& out, const Palette& p, std::string_view prefix, std::uint64_t bytes,
                      http::BodyFraming framing) {
    if (framing == http::BodyFraming::none && bytes == 0) return;
    fmt::format_to(std::back_inserter(out), "{}{}[body {} bytes, {}]{}\n", p.dim, prefix, bytes, http::to_string(framing),
                   p.reset);
}

void append_request(std::string& out, const Palette& p, const MessageRecord& request) {
    fmt::format_to(std::back_inserter(out), "{}> {}{}{} {} {}{}\n", p.dim, p.reset, p.bold, display(request.method),
                   display(request.target), display(request.version), p.reset);
    append_headers(out, p, "> ", request.headers);
    append_body_note(out, p, "> ", request.body_bytes, request.body_framing);
    append_headers(out, p, "> ", request.trailers);
}

void append_changes(std::string& out, const Palette& p, const RoundTripRecord& record) {
    if (!record.upstream_request) return;
    const auto& sent = *record.upstream_request;
    if (sent.method != record.request.method || sent.target != record.request.target ||
        sent.version != record.request.version)
        fmt::format_to(std::back_inserter(out), "{}  ~ request line: {} {} {}{}\n", p.yellow, display(sent.method),
                       display(sent.target), display(sent.version), p.reset);
    for (const auto& change : sent.changes) {
        std::string_view mark = change.op == HeaderChange::Op::add      ? "+ "
                                : change.op == HeaderChange::Op::remove ? "~ remove "
                                                                        : "~ replace ";
        std::string_view color = change.op == HeaderChange::Op::add ? p.green : p.yellow;
        fmt::format_to(std::back_inserter(out), "  {}{}{}: {}{}", color, mark, display(change.name),
                       display(change.value), p.reset);
        // "(x-forwarded-for)" beside X-Forwarded-For says nothing new; other reasons do.
        if (!change.reason.empty() && !http::iequals(change.reason, change.name))
            fmt::format_to(std::back_inserter(out), " {}({}){}", p.dim, display(change.reason), p.reset);
        out += '\n';
    }
}

std::string_view retry_word(const AttemptRecord& attempt) {
    return attempt.retry.decision == RetryDecision::Decision::give_up ? "give up" : "retry";
}

void append_attempts(std::string& out, const Palette& p, const RoundTripRecord& record) {
    const auto& attempts = record.attempts;
    for (std::size_t i = 0; i < attempts.size(); ++i) {
        const auto& a = attempts[i];
        fmt::format_to(std::back_inserter(out), "  {}attempt {}:{} ", p.bold, a.n, p.reset);
        if (a.error)
            fmt::format_to(std::back_inserter(out), "{}✗ {}{}", p.red, describe(*a.error), p.reset);
        else if (a.status)
            fmt::format_to(std::back_inserter(out), "{}{}{}", status_color(p, *a.status), *a.status, p.reset);
        else
            out += "no response";
        if (a.conn && a.conn->remote) {
            // No local address yet when the connect itself failed.
            const auto local = a.conn->local ? display(*a.conn->local) + " " : std::string();
            fmt::format_to(std::back_inserter(out), "  {}{}→ {}{}{}", p.dim, local, display(*a.conn->remote),
                           a.conn->reused ? " (reused)" : "", p.reset);
        }
        std::string timings;
        auto add_timing = [&](std::string_view name, const Millis& ms) {
            if (!ms) return;
            if (!timings.empty()) timings += ", ";
            timings += fmt::format("{} {}", name, millis(*ms));
        };
        add_timing("dns", a.timings.dns_ms);
        add_timing("connect", a.timings.connect_ms);
        add_timing("tls", a.timings.tls_ms);
        add_timing("first byte", a.timings.first_byte_ms);
        if (!timings.empty()) fmt::format_to(std::back_inserter(out), "  {}{}{}", p.dim, timings, p.reset);
        if (a.retry.decision == RetryDecision::Decision::retry) {
            out += fmt::format("  {}retry", p.yellow);
            if (i + 1 < attempts.size()) out += " in " + millis(attempts[i + 1].backoff_ms);
        } else if (a.retry.decision == RetryDecision::Decision::give_up) {
            out += fmt::format("  {}{}", p.red, retry_word(a));
        }
        if (a.retry.decision != RetryDecision::Decision::not_needed) {
            if (!a.retry.reason.empty()) out += fmt::format(" ({})", display(a.retry.reason));
            out += p.reset;
        }
        out += '\n';
    }
}

void append_interim(std::string& out, const Palette& p, const InterimRecord& interim) {
    fmt::format_to(std::back_inserter(out), "  {}← {} {}{}", p.blue, interim.status, display(interim.reason), p.reset);
    for (const auto& field : interim.headers)
        fmt::format_to(std::back_inserter(out), "  {}{}{}: {}", p.cyan, display(field.name), p.reset,
                       display(field.value));
    fmt::format_to(std::back_inserter(out), "  {}+{}  ({}){}\n", p.dim, millis(interim.at_ms),
                   interim.forwarded ? "relayed" : "not relayed", p.reset);
}

void append_response(std::string& out, const Palette& p, const ResponseRecord& response) {
    fmt::format_to(std::back_inserter(out), "{}< {}{}{} {}{} {}{}", p.dim, p.reset, p.bold, display(response.version),
                   status_color(p, response.status), response.status, display(response.reason), p.reset);
    if (response.source == ResponseRecord::Source::proxy)
        fmt::format_to(std::back_inserter(out), "  {}(made by rtproxy){}", p.magenta, p.reset);
    out += '\n';
    append_headers(out, p, "< ", response.headers);
    append_body_note(out, p, "< ", response.body_bytes, response.body_framing);
    append_headers(out, p, "< ", response.trailers);
}


std::string url(std::string_view scheme, std::string_view host, int port) {
    // An IPv6 literal needs brackets in a URL (RFC 3986 §3.2.2).
    if (host.find(':') != std::string_view::npos) return fmt::format("{}://[{}]:{}", scheme, display(host), port);
    return fmt::format("{}://{}:{}", scheme, display(host), port);
}

}  // namespace

std::string to_pretty_text(const RoundTripRecord& record, bool color) {
    const Palette& p = palette(color);
    std::string out;
    out.reserve(1024);

    // #12 GET /api/users → 200 OK  1.8 ms  (conn 3 #2, 1 attempt)
    fmt::format_to(std::back_inserter(out), "{}#{}{} {}{} {}{} → ", p.bold, record.id, p.reset, p.bold,
                   display(record.request.method), display(record.request.target), p.reset);
    if (record.response)
        fmt::format_to(std::back_inserter(out), "{}{} {}{}", status_color(p, record.response->status),
                       record.response->status, display(record.response->reason), p.reset);
    else
        fmt::format_to(std::back_inserter(out), "{}no response{}", p.red, p.reset);
    const auto n = record.attempts.size();
    fmt::format_to(std::back_inserter(out), "  {}  {}(conn {} #{}{}, {} attempt{}){}\n", millis(record.duration_ms),
                   p.dim, record.client.conn_id, record.client.conn_seq, record.client.tls ? ", tls" : "", n,
                   n == 1 ? "" : "s", p.reset);

    append_request(out, p, record.request);
    append_changes(out, p, record);
    if (!record.upstream_request && record.attempts.empty())
        fmt::format_to(std::back_inserter(out), "  {}(not forwarded upstream){}\n", p.dim, p.reset);
    append_attempts(out, p, record);
    for (const auto& interim : record.interim) append_interim(out, p, interim);
    if (record.response) append_response(out, p, *record.response);
    if (record.tunnel)
        fmt::format_to(std::back_inserter(out), "  {}⇄ {} tunnel: {} bytes to upstream, {} bytes to client, closed by {}{}\n",
                       p.blue, display(record.tunnel->protocol), record.tunnel->client_to_upstream_bytes,
                       record.tunnel->upstream_to_client_bytes, to_string(record.tunnel->closed_by), p.reset);
    for (const auto& error : record.errors) {
        fmt::format_to(std::back_inserter(out), "  {}✗ {}", p.red, describe(error));
        if (error.attempt) fmt::format_to(std::back_inserter(out), " (attempt {})", *error.attempt);
        fmt::format_to(std::back_inserter(out), "{}\n", p.reset);
    }
    fmt::format_to(std::back_inserter(out), "  outcome: {}{}{}\n\n", record.outcome == Outcome::ok ? p.green : p.red,
                   to_string(record.outcome), p.reset);
    return out;
}

std::string to_pretty_text(const ListeningEvent& event, bool color) {
    const Palette& p = palette(color);
    std::string listen;
    for (const auto& address : event.listen) {
        if (!listen.empty()) listen += ", ";
        listen += url(address.tls ? "https" : "http", address.addr, address.port);
    }
    std::string out = fmt::format("{}rtproxy {}{} listening on {}{}{} → {}", p.bold, display(event.version), p.reset,
                                  p.green, listen, p.reset,
                                  url(event.upstream.scheme, event.upstream.host, event.upstream.port));
    if (event.admin) out += fmt::format("  {}(admin {}){}", p.dim, display(*event.admin), p.reset);
    out += "\n\n";
    return out;
}

std::string to_pretty_text(const ShutdownEvent& event, bool color) {
    const Palette& p = palette(color);
    std::uint64_t total = 0;
    std::string by_op;
    for (const auto& [op, count] : event.errors) {
        total += count;
        by_op += fmt::format("{}{} {}", by_op.empty() ? "" : ", ", display(op), count);
    }
    std::string out = fmt::format("{}rtproxy shut down{} ({}): {} round trip{}, ", p.bold, p.reset, display(event.reason),
                                  event.rounds, event.rounds == 1 ? "" : "s");
    out += fmt::format("{}{} error{}{}{}", total ? p.red : "", total, total == 1 ? "" : "s",
                       by_op.empty() ? "" : " (" + by_op + ")", total ? p.reset : "");
    out += fmt::format(", {}{} dropped{}", event.dropped ? p.red : "", event.dropped, event.dropped ? p.reset : "");
    out += fmt::format(", up {}\n", millis(event.uptime_ms));
    return out;
}

}  // namespace rtproxy::output
