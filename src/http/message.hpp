#pragma once
// Request and response heads as they were on the wire, and how their bodies are delimited.
#include <cstdint>
#include <string>
#include <string_view>

#include "http/fields.hpp"

namespace rtproxy::http {

// How a message body is delimited (RFC 9112 §6). `close`: a response read until EOF.
enum class BodyFraming { none, length, chunked, close };

constexpr std::string_view to_string(BodyFraming f) {
    switch (f) {
        case BodyFraming::none: return "none";
        case BodyFraming::length: return "length";
        case BodyFraming::chunked: return "chunked";
        case BodyFraming::close: return "close";
    }
    return "none";
}

struct Framing {
    BodyFraming kind = BodyFraming::none;
    std::uint64_t content_length = 0;  // meaningful for `length` only
};

struct RequestHead {
    std::string method;
    std::string target;
    std::string version;  // "HTTP/1.1" or "HTTP/1.0", as on the wire
    Fields headers;
};

struct ResponseHead {
    std::string version;  // "HTTP/1.1" or "HTTP/1.0"
    int status = 0;
    std::string reason;
    Fields headers;

    bool is_interim() const { return status >= 100 && status < 200; }
};

}  // namespace rtproxy::http
