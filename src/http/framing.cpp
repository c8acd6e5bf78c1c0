// Body framing decisions (RFC 9112 §6.1-6.3), declared in parser.hpp. These are where
// request smuggling is won or lost, so every ambiguity is an error for requests.
#include <string>

#include "http/parser.hpp"
#include "http/syntax.hpp"

namespace rtproxy::http {
namespace {

FramingDecision fail(std::string reason) {
    FramingDecision d;
    d.ok = false;
    d.error = ParseError{400, "malformed", std::move(reason)};
    return d;
}

FramingDecision framed(BodyFraming kind, std::uint64_t length = 0) {
    FramingDecision d;
    d.framing = Framing{kind, length};
    return d;
}

// Content-Length = 1*DIGIT (RFC 9110 §8.6). Several field lines or a comma list are
// accepted only when every value is the same number (RFC 9112 §6.3 item 5, as Go does);
// the value is then that number.
bool content_length(const Fields& fields, std::uint64_t& length, std::string& reason) {
    bool seen = false;
    for (const auto& f : fields) {
        if (!iequals(f.name, "Content-Length")) continue;
        std::string_view rest = f.value;
        while (true) {
            const auto comma = rest.find(',');
            const auto element = trim_ows(rest.substr(0, comma));
            if (element.empty()) {
                reason = "empty Content-Length";
                return false;
            }
            std::uint64_t value = 0;
            for (char c : element) {
                if (!syntax::is_digit(c)) {
                    reason = "Content-Length is not a number: \"" + f.value + "\"";
                    return false;
                }
                const auto digit = static_cast<std::uint64_t>(c - '0');
                if (value > (UINT64_MAX - digit) / 10) {
                    reason = "Content-Length overflows 64 bits";
                    return false;
                }
                value = value * 10 + digit;
            }
            if (seen && value != length) {
                reason = "several Content-Length values that differ";
                return false;
            }
            seen = true;
            length = value;
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return true;
}

// The transfer codings of every Transfer-Encoding field line, in order (RFC 9112 §6.1).
struct Codings {
    std::size_t count = 0;
    bool chunked_last = false;
    bool chunked_only = false;
    std::string listed;  // for error messages
};

Codings codings(const Fields& fields) {
    Codings c;
    for (const auto& f : fields) {
        if (!iequals(f.name, "Transfer-Encoding")) continue;
        for_each_list_element(f.value, [&](std::string_view coding) {
            if (!c.listed.empty()) c.listed += ", ";
            c.listed += coding;
            ++c.count;
            c.chunked_last = iequals(coding, "chunked");
        });
    }
    c.chunked_only = c.count == 1 && c.chunked_last;
    return c;
}

}  // namespace

FramingDecision request_framing(const RequestHead& head) {
    const bool has_te = head.headers.find("Transfer-Encoding") != nullptr;
    const bool has_cl = head.headers.find("Content-Length") != nullptr;
    if (has_te) {
        // RFC 9112 §6.1: a server MAY reject such a request; a proxy that forwarded it would
        // let the upstream pick a different body length than ours.
        if (has_cl) return fail("Content-Length together with Transfer-Encoding (RFC 9112 §6.1)");
        // RFC 9112 §6.1: HTTP/1.0 has no chunked framing; the framing is faulty.
        if (head.version == "HTTP/1.0") return fail("Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1)");
        const auto c = codings(head.headers);
        if (c.chunked_only) return framed(BodyFraming::chunked);
        if (c.count == 0) return fail("empty Transfer-Encoding");
        if (!c.chunked_last)
            // RFC 9112 §6.3 item 4: the body length cannot be determined; 400 and close.
            return fail("Transfer-Encoding \"" + c.listed + "\" does not end in chunked (RFC 9112 §6.3)");
        return fail("Transfer-Encoding \"" + c.listed + "\": rtproxy accepts only \"chunked\" in requests");
    }
    if (has_cl) {
        std::uint64_t length = 0;
        std::string reason;
        if (!content_length(head.headers, length, reason)) return fail(std::move(reason));
        return framed(BodyFraming::length, length);
    }
    return framed(BodyFraming::none);
}

FramingDecision response_framing(const ResponseHead& head, std::string_view request_method) {
    // RFC 9112 §6.3 items 1-2, in order.
    if (request_method == "HEAD" || head.is_interim() || head.status == 204 || head.status == 304)
        return framed(BodyFraming::none);
    if (request_method == "CONNECT" && head.status >= 200 && head.status < 300) return framed(BodyFraming::none);
    if (head.headers.find("Transfer-Encoding") != nullptr) {
        // Item 3: Transfer-Encoding overrides Content-Length; without a final chunked the
        // body runs until the server closes. RFC 9112 §6.1: in HTTP/1.0 the framing is
        // faulty, so read until close as well.
        const auto c = codings(head.headers);
        if (c.chunked_last && head.version != "HTTP/1.0") return framed(BodyFraming::chunked);
        return framed(BodyFraming::close);
    }
    if (head.headers.find("Content-Length") != nullptr) {
        std::uint64_t length = 0;
        std::string reason;
        if (!content_length(head.headers, length, reason)) return fail(std::move(reason));
        return framed(BodyFraming::length, length);
    }
    return framed(BodyFraming::close);
}

}  // namespace rtproxy::http
