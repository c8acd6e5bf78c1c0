#pragma once
#include <string>

namespace rtproxy::http {

// Why bytes were refused. `status` is what rtproxy answers a client with (400, or 431 for
// oversize heads); for an upstream response the proxy answers 502 whatever this says.
struct ParseError {
    int status = 400;
    std::string kind = "malformed";  // "malformed" | "too_large" (the record's error kind)
    std::string reason;              // a sentence for people: "Content-Length together with Transfer-Encoding"
};

struct Limits {
    std::size_t max_head_bytes = 64 * 1024;  // request/response line + fields + final CRLF
    std::size_t max_fields = 100;
    std::size_t max_trailer_bytes = 64 * 1024;
};

}  // namespace rtproxy::http
