#include "http/parser.hpp"

#include <cstring>
#include <string>

#include "http/field_line.hpp"
#include "http/syntax.hpp"

namespace rtproxy::http {
namespace {

// A reason is a string literal until it becomes a ParseError: the hot path never allocates.
using Reason = const char*;

ParseError malformed(Reason reason) { return ParseError{400, "malformed", reason}; }
ParseError too_large(Reason reason) { return ParseError{431, "too_large", reason}; }

// RFC 9112 §2.3: HTTP-version is case-sensitive; rtproxy speaks 1.0 and 1.1 only.
Reason check_version(std::string_view v) {
    if (v == "HTTP/1.1" || v == "HTTP/1.0") return nullptr;
    if (v.size() == 8 && v.substr(0, 5) == "HTTP/" && syntax::is_digit(v[5]) && v[6] == '.' && syntax::is_digit(v[7]))
        return "unsupported HTTP version (only HTTP/1.0 and HTTP/1.1)";
    return "malformed HTTP version";
}

struct RequestLine {
    std::string_view method, target, version;
};

// request-line = method SP request-target SP HTTP-version (RFC 9112 §3).
Reason parse_request_line(std::string_view line, RequestLine& out) {
    const auto first_sp = line.find(' ');
    const auto last_sp = line.rfind(' ');
    if (first_sp == std::string_view::npos || first_sp == last_sp)
        return "request line is not \"method SP target SP version\" (HTTP/0.9 is not supported)";
    out.method = line.substr(0, first_sp);
    out.target = line.substr(first_sp + 1, last_sp - first_sp - 1);
    out.version = line.substr(last_sp + 1);
    if (!syntax::is_token(out.method)) return "method is not a token (RFC 9110 §9.1)";
    if (out.target.empty()) return "empty request-target";
    if (!syntax::all_target_chars(out.target))
        return "request-target contains whitespace, a control character or a non-ASCII byte (RFC 9112 §3.2)";
    return check_version(out.version);
}

struct StatusLine {
    std::string_view version;
    int status = 0;
    std::string_view reason;
};

// status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4). A missing
// SP before an empty reason is tolerated: many servers send "HTTP/1.1 200\r\n".
Reason parse_status_line(std::string_view line, StatusLine& out) {
    const auto sp = line.find(' ');
    if (sp == std::string_view::npos) return "status line without a status code";
    out.version = line.substr(0, sp);
    if (auto r = check_version(out.version)) return r;
    const auto rest = line.substr(sp + 1);
    if (rest.size() < 3 || !syntax::is_digit(rest[0]) || !syntax::is_digit(rest[1]) || !syntax::is_digit(rest[2]) ||
        rest[0] == '0')
        return "status code is not three digits 100-999 after exactly one space";
    if (rest.size() > 3 && rest[3] != ' ') return "status code is not three digits 100-999 after exactly one space";
    out.status = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
    out.reason = rest.size() > 4 ? rest.substr(4) : std::string_view{};
    if (!syntax::all_field_value_chars(out.reason)) return "control character in the reason phrase";
    return nullptr;
}

// RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request-line;
// we ignore exactly one (for responses too, as llhttp does), a second is an error.
std::size_t leading_empty_line(std::string_view buffer) {
    return buffer.size() >= 2 && buffer[0] == '\r' && buffer[1] == '\n' ? 2 : 0;
}

// Validates every complete line, and hands each to the head being built as it is
// validated; the head ends at the first empty line. `searched` is how far an earlier call
// already looked for LF: lines before it were validated (and collected) then, and a line is
// taken once, when its LF arrives. So a head that trickles in byte by byte costs O(n) in
// total, even a single long line. `start_line` checks and keeps the start line, `field`
// keeps a field line; more than the field limit is an error as soon as it is seen, so a
// head of many tiny lines is refused before it costs memory.
template <class StartLine, class FieldSink>
ParseStatus scan_head(std::string_view buffer, std::size_t& searched, std::size_t start, const Limits& limits,
                      std::size_t& head_end, ParseError& error, StartLine start_line, FieldSink field_sink) {
    const char* data = buffer.data();
    std::size_t line_start = std::string_view::npos;  // found with the first LF of this call
    while (true) {
        const void* nl =
            searched < buffer.size() ? std::memchr(data + searched, '\n', buffer.size() - searched) : nullptr;
        if (nl == nullptr) {
            searched = buffer.size();
            if (buffer.size() > limits.max_head_bytes) {
                error = too_large("head larger than the limit");
                return ParseStatus::error;
            }
            return ParseStatus::need_more;
        }
        const auto lf = static_cast<std::size_t>(static_cast<const char*>(nl) - data);
        if (line_start == std::string_view::npos) {
            const auto previous_lf = buffer.substr(start, lf - start).rfind('\n');
            line_start = previous_lf == std::string_view::npos ? start : start + previous_lf + 1;
        }
        if (lf + 1 > limits.max_head_bytes) {
            error = too_large("head larger than the limit");
            return ParseStatus::error;
        }
        if (lf == line_start || data[lf - 1] != '\r') {
            error = malformed("bare LF: lines must end with CRLF (RFC 9112 §2.2)");
            return ParseStatus::error;
        }
        // A bare CR inside the line fails every check below (CR is no token, target or value
        // byte), so it is looked for only to name the error.
        const auto line = buffer.substr(line_start, lf - 1 - line_start);
        Reason reason = nullptr;
        if (line_start == start) {
            reason = start_line(line);
        } else if (line.empty()) {
            head_end = lf + 1;
            return ParseStatus::complete;
        } else if ((line.front() == ' ' || line.front() == '\t') &&
                   buffer.substr(start, line_start - 1 - start).find('\n') == std::string_view::npos) {
            // RFC 9112 §2.2: whitespace between the start-line and the first field line must
            // be rejected (or the line ignored); it is a classic request-smuggling vector.
            reason = "whitespace before the first field line (RFC 9112 §2.2)";
        } else {
            FieldLine field;
            reason = parse_field_line(line, field);
            if (!reason && !field_sink(field)) {
                error = too_large("more header fields than the limit");
                return ParseStatus::error;
            }
        }
        if (reason) {
            const bool bare_cr = line.find('\r') != std::string_view::npos;
            error = malformed(bare_cr ? "bare CR in the head (RFC 9112 §2.2)" : reason);
            return ParseStatus::error;
        }
        line_start = searched = lf + 1;
    }
}

// What both head parsers share: find the end of the head (remembering how far the scan
// got, so a head that trickles in costs O(n)) while `pending` is built line by line.
// `keep_start_line(line, head)` checks the start line and fills its parts in.
template <class Head, class KeepStartLine>
bool scan_complete_head(std::string_view buffer, std::size_t& scanned, const Limits& limits, Head& pending,
                        HeadParse<Head>& result, KeepStartLine keep_start_line) {
    const auto start = leading_empty_line(buffer);
    std::size_t pos = scanned <= buffer.size() && scanned > start ? scanned : start;
    if (pos == start) pending = Head{};  // scanning from the start: nothing kept yet
    std::size_t end = 0;
    const auto keep_field = [&](const FieldLine& field) {
        auto& fields = pending.headers;
        if (fields.size() >= limits.max_fields) return false;
        // One allocation for a typical head instead of growing 1, 2, 4, 8, 16.
        if (fields.empty()) fields.list().reserve(16);
        fields.add(field.name, field.value);
        return true;
    };
    result.status = scan_head(
        buffer, pos, start, limits, end, result.error, [&](std::string_view line) { return keep_start_line(line, pending); },
        keep_field);
    if (result.status == ParseStatus::need_more) {
        scanned = pos;
        return false;
    }
    scanned = 0;  // the next message starts from scratch
    if (result.status == ParseStatus::error) return false;
    result.head = std::move(pending);
    result.consumed = end;
    return true;
}

}  // namespace

HeadParse<RequestHead> RequestHeadParser::parse(std::string_view buffer) {
    HeadParse<RequestHead> result;
    const auto keep_request_line = [](std::string_view line, RequestHead& head) -> Reason {
        RequestLine parts;
        if (auto reason = parse_request_line(line, parts)) return reason;
        head.method.assign(parts.method);
        head.target.assign(parts.target);
        head.version.assign(parts.version);
        return nullptr;
    };
    if (!scan_complete_head(buffer, scanned_, limits_, pending_, result, keep_request_line)) return result;

    // RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without Host and to
    // any request with more than one Host field line.
    const auto& head = result.head;
    const auto hosts = head.headers.count("Host");
    if (hosts > 1 || (hosts == 0 && head.version == "HTTP/1.1")) {
        result.status = ParseStatus::error;
        result.error = malformed(hosts == 0 ? "HTTP/1.1 request without a Host field (RFC 9112 §3.2)"
                                            : "request with more than one Host field (RFC 9112 §3.2)");
        result.consumed = 0;
    }
    return result;
}

HeadParse<ResponseHead> ResponseHeadParser::parse(std::string_view buffer) {
    HeadParse<ResponseHead> result;
    const auto keep_status_line = [](std::string_view line, ResponseHead& head) -> Reason {
        StatusLine parts;
        if (auto reason = parse_status_line(line, parts)) return reason;
        head.version.assign(parts.version);
        head.status = parts.status;
        head.reason.assign(parts.reason);
        return nullptr;
    };
    scan_complete_head(buffer, scanned_, limits_, pending_, result, keep_status_line);
    return result;
}

}  // namespace rtproxy::http
