#pragma once
// Heads and chunk framing back to bytes, exactly as the fields say (order and case kept).
#include <cassert>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace rtproxy::http {

void append_request_head(std::string& out, const RequestHead& head);
void append_response_head(std::string& out, const ResponseHead& head);
void append_fields(std::string& out, const Fields& fields);  // "name: value\r\n"..., no final CRLF

// A head written piece by piece, for a caller that picks its fields as it goes (the
// response to the client, rebuilt for every request): the caller says the most it will
// write (head_bound() and field_size() add it up), then each piece is a plain copy through
// a raw cursor, with no capacity check; four checked appends per field line cost more
// than the copies. The string is cut back to what was written when the writer goes.
class HeadWriter {
public:
    HeadWriter(std::string& out, std::size_t most) : out_(out) {
        const auto start = out.size();
        out.resize(start + most);
        at_ = out.data() + start;
    }
    ~HeadWriter() {
        const auto written = static_cast<std::size_t>(at_ - out_.data());
        assert(written <= out_.size() && "a HeadWriter was given less room than it wrote");
        out_.resize(written);
    }
    HeadWriter(const HeadWriter&) = delete;
    HeadWriter& operator=(const HeadWriter&) = delete;

    // Room for a status line with `reason`, the final empty line, and `fields`.
    static std::size_t head_bound(std::string_view version, std::string_view reason, const Fields& fields) {
        return version.size() + 1 + 11 + 1 + reason.size() + 2 + fields_size(fields) + 2;
    }
    static std::size_t field_size(std::string_view name, std::string_view value) {
        return name.size() + value.size() + 4;
    }
    static std::size_t fields_size(const Fields& fields) {
        std::size_t n = 0;
        for (const auto& f : fields) n += field_size(f.name, f.value);
        return n;
    }

    // The SP after the status code is written even before an empty reason (RFC 9112 §4).
    void status_line(std::string_view version, int status, std::string_view reason);
    void request_line(std::string_view method, std::string_view target, std::string_view version) {
        put(method);
        put(" ");
        put(target);
        put(" ");
        put(version);
        put("\r\n");
    }
    void field(std::string_view name, std::string_view value) {
        put(name);
        put(": ");
        put(value);
        put("\r\n");
    }
    void fields(const Fields& fields) {
        for (const auto& f : fields) field(f.name, f.value);
    }
    void end() { put("\r\n"); }

private:
    void put(std::string_view piece) {
        std::memcpy(at_, piece.data(), piece.size());
        at_ += piece.size();
    }
    std::string& out_;
    char* at_;
};
void append_chunk_header(std::string& out, std::size_t size);  // "1a2b\r\n"
inline void append_chunk_end(std::string& out) { out += "\r\n"; }  // after the chunk's data
void append_last_chunk(std::string& out, const Fields& trailers);  // "0\r\n" trailers "\r\n"

}  // namespace rtproxy::http
