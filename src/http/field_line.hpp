#pragma once
// One "name: value" line of a head or a trailer section (RFC 9112 §5), shared by the head
// parsers and the chunked decoder so trailers obey exactly the same rules as headers.
#include <string_view>

namespace rtproxy::http {

struct FieldLine {
    std::string_view name;
    std::string_view value;  // OWS around it already removed (RFC 9110 §5.5)
};

// Validates `line` (without its CRLF) and splits it. Returns nullptr on success, else a
// reason for people (a string literal: no allocation on the hot path).
const char* parse_field_line(std::string_view line, FieldLine& out);

}  // namespace rtproxy::http
