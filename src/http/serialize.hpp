#pragma once
// Heads and chunk framing back to bytes, exactly as the fields say (order and case kept).
#include <cstddef>
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
inline void append_field(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
}
inline void append_head_end(std::string& out) { out += "\r\n"; }
void append_chunk_header(std::string& out, std::size_t size);  // "1a2b\r\n"
inline void append_chunk_end(std::string& out) { out += "\r\n"; }  // after the chunk's data
void append_last_chunk(std::string& out, const Fields& trailers);  // "0\r\n" trailers "\r\n"

}  // namespace rtproxy::http
