#include "http/serialize.hpp"

#include <charconv>

namespace rtproxy::http {
namespace {

std::size_t fields_size(const Fields& fields) {
    std::size_t n = 0;
    for (const auto& f : fields) n += f.name.size() + f.value.size() + 4;
    return n;
}

}  // namespace

void append_fields(std::string& out, const Fields& fields) {
    for (const auto& f : fields) append_field(out, f.name, f.value);
}

void append_request_head(std::string& out, const RequestHead& head) {
    out.reserve(out.size() + head.method.size() + head.target.size() + head.version.size() + 6 +
                fields_size(head.headers));
    out += head.method;
    out += ' ';
    out += head.target;
    out += ' ';
    out += head.version;
    out += "\r\n";
    append_fields(out, head.headers);
    out += "\r\n";
}

// The SP after the status code is required even before an empty reason (RFC 9112 §4), so
// "HTTP/1.1 200\r\n" from a lax server goes out as "HTTP/1.1 200 \r\n".
void append_status_line(std::string& out, std::string_view version, int status, std::string_view reason) {
    out += version;
    out += ' ';
    char digits[16];
    const auto r = std::to_chars(digits, digits + sizeof digits, status);
    out.append(digits, r.ptr);
    out += ' ';
    out += reason;
    out += "\r\n";
}

void append_response_head(std::string& out, const ResponseHead& head) {
    out.reserve(out.size() + head.version.size() + head.reason.size() + 9 + fields_size(head.headers));
    append_status_line(out, head.version, head.status, head.reason);
    append_fields(out, head.headers);
    out += "\r\n";
}

void append_chunk_header(std::string& out, std::size_t size) {
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, size, 16);
    out.append(digits, r.ptr);
    out += "\r\n";
}

void append_last_chunk(std::string& out, const Fields& trailers) {
    out += "0\r\n";
    append_fields(out, trailers);
    out += "\r\n";
}

}  // namespace rtproxy::http
