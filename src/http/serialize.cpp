#include "http/serialize.hpp"

#include <charconv>

namespace rtproxy::http {

void HeadWriter::status_line(std::string_view version, int status, std::string_view reason) {
    put(version);
    put(" ");
    at_ = std::to_chars(at_, at_ + 11, status).ptr;
    put(" ");
    put(reason);
    put("\r\n");
}

void append_fields(std::string& out, const Fields& fields) {
    HeadWriter(out, HeadWriter::fields_size(fields)).fields(fields);
}

void append_request_head(std::string& out, const RequestHead& head) {
    HeadWriter w(out, head.method.size() + head.target.size() + head.version.size() + 4 +
                          HeadWriter::fields_size(head.headers) + 2);
    w.request_line(head.method, head.target, head.version);
    w.fields(head.headers);
    w.end();
}

// A lax server's "HTTP/1.1 200\r\n" goes out as "HTTP/1.1 200 \r\n" (HeadWriter::status_line).
void append_response_head(std::string& out, const ResponseHead& head) {
    HeadWriter w(out, HeadWriter::head_bound(head.version, head.reason, head.headers));
    w.status_line(head.version, head.status, head.reason);
    w.fields(head.headers);
    w.end();
}

void append_chunk_header(std::string& out, std::size_t size) {
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, size, 16);
    out.append(digits, r.ptr);
    out += "\r\n";
}

void append_last_chunk(std::string& out, const Fields& trailers) {
    out += "0\r\n";
    HeadWriter w(out, HeadWriter::fields_size(trailers) + 2);
    w.fields(trailers);
    w.end();
}

}  // namespace rtproxy::http
