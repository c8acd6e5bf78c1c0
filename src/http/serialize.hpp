#pragma once
// Heads and chunk framing back to bytes, exactly as the fields say (order and case kept).
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace rtproxy::http {

void append_request_head(std::string& out, const RequestHead& head);
void append_response_head(std::string& out, const ResponseHead& head);
void append_fields(std::string& out, const Fields& fields);  // "name: value\r\n"..., no final CRLF
// A head written piece by piece, for a caller that picks its fields as it goes:
// status line, then append_field() per field, then append_head_end().
void append_status_line(std::string& out, std::string_view version, int status, std::string_view reason);
// One resize and two copies per field line: four appends, each checking capacity, cost
// more than that for the short lines of a typical head.
inline void append_field(std::string& out, std::string_view name, std::string_view value) {
    const auto at = out.size();
    out.resize(at + name.size() + value.size() + 4);
    char* p = out.data() + at;
    std::memcpy(p, name.data(), name.size());
    p += name.size();
    p[0] = ':';
    p[1] = ' ';
    p += 2;
    std::memcpy(p, value.data(), value.size());
    p += value.size();
    p[0] = '\r';
    p[1] = '\n';
}
inline void append_head_end(std::string& out) { out += "\r\n"; }
void append_chunk_header(std::string& out, std::size_t size);  // "1a2b\r\n"
inline void append_chunk_end(std::string& out) { out += "\r\n"; }  // after the chunk's data
void append_last_chunk(std::string& out, const Fields& trailers);  // "0\r\n" trailers "\r\n"

}  // namespace rtproxy::http
