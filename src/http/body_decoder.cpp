#include "http/body_decoder.hpp"

#include <algorithm>
#include <cstring>

#include "http/field_line.hpp"
#include "http/syntax.hpp"

namespace rtproxy::http {
namespace {

// Go's net/http/internal/chunked.go caps a chunk-size line (size and extensions) at 4096
// bytes; a peer that sends more is not sending a body, it is probing.
constexpr std::size_t max_chunk_line_bytes = 4096;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ext-val = token /
// quoted-string (RFC 9112 §7.1.1). We allow no BWS at all: whitespace around the size is
// where parsers disagree, and disagreement is how bodies get smuggled.
const char* check_extensions(std::string_view ext) {
    std::size_t i = 0;
    while (i < ext.size()) {
        if (ext[i] != ';') return "invalid character after the chunk size";
        ++i;
        const auto name_start = i;
        while (i < ext.size() && syntax::is_tchar(ext[i])) ++i;
        if (i == name_start) return "empty chunk extension name";
        if (i == ext.size() || ext[i] == ';') continue;
        if (ext[i] != '=') return "invalid character in a chunk extension";
        ++i;
        if (i < ext.size() && ext[i] == '"') {
            ++i;
            bool closed = false;
            while (i < ext.size()) {
                const char c = ext[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\') {
                    // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ) (RFC 9110 §5.6.4)
                    if (i == ext.size() || !syntax::is_field_value_char(ext[i]))
                        return "invalid quoted-pair in a chunk extension";
                    ++i;
                } else if (!syntax::is_field_value_char(c)) {
                    return "control character in a chunk extension value";
                }
            }
            if (!closed) return "unterminated quoted string in a chunk extension";
        } else {
            const auto value_start = i;
            while (i < ext.size() && syntax::is_tchar(ext[i])) ++i;
            if (i == value_start) return "empty chunk extension value";
        }
    }
    return nullptr;
}

// chunk-size = 1*HEXDIG, then extensions. No sign, no 0x, no whitespace, no overflow.
const char* parse_chunk_size(std::string_view line, std::uint64_t& size) {
    std::size_t i = 0;
    size = 0;
    for (; i < line.size(); ++i) {
        const int v = hex_value(line[i]);
        if (v < 0) break;
        if (size > (UINT64_MAX >> 4)) return "chunk size overflows 64 bits";
        size = (size << 4) | static_cast<std::uint64_t>(v);
    }
    if (i == 0) return "chunk size is not a hexadecimal number";
    return check_extensions(line.substr(i));
}

}  // namespace

BodyDecoder::BodyDecoder(Framing framing, Limits limits) : framing_(framing), limits_(limits) {
    if (framing_.kind == BodyFraming::none || (framing_.kind == BodyFraming::length && framing_.content_length == 0))
        done_ = true;
    if (framing_.kind == BodyFraming::length) chunk_remaining_ = framing_.content_length;
}

BodyDecoder::Step BodyDecoder::decode(std::string_view input) {
    Step step;
    if (!error_.reason.empty()) {
        step.error = true;
        return step;
    }
    if (done_) return step;
    switch (framing_.kind) {
        case BodyFraming::none:
            done_ = true;
            return step;
        case BodyFraming::close:
            step.data = input;
            step.consumed = input.size();
            payload_bytes_ += input.size();
            return step;
        case BodyFraming::length: {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_remaining_, input.size()));
            step.data = input.substr(0, n);
            step.consumed = n;
            chunk_remaining_ -= n;
            payload_bytes_ += n;
            done_ = chunk_remaining_ == 0;
            return step;
        }
        case BodyFraming::chunked: break;
    }

    const auto fail = [&](int status, const char* kind, const char* reason) {
        error_ = ParseError{status, kind, reason};
        step.error = true;
        return step;
    };
    // Framing is consumed greedily, payload at most once per step: a step carries one view.
    std::size_t pos = 0;
    bool emitted = false;
    while (!done_) {
        const auto rest = input.substr(pos);
        switch (state_) {
            case ChunkState::size_line: {
                const auto lf = rest.find('\n');
                if (lf == std::string_view::npos) {
                    if (rest.size() > max_chunk_line_bytes) return fail(400, "malformed", "chunk size line too long");
                    step.consumed = pos;
                    return step;
                }
                if (lf > max_chunk_line_bytes) return fail(400, "malformed", "chunk size line too long");
                if (lf == 0 || rest[lf - 1] != '\r')
                    return fail(400, "malformed", "bare LF after a chunk size (RFC 9112 §7.1)");
                const auto line = rest.substr(0, lf - 1);
                if (line.find('\r') != std::string_view::npos)
                    return fail(400, "malformed", "bare CR in a chunk size line");
                std::uint64_t size = 0;
                if (const char* reason = parse_chunk_size(line, size)) return fail(400, "malformed", reason);
                pos += lf + 1;
                chunk_remaining_ = size;
                state_ = size == 0 ? ChunkState::trailers : ChunkState::data;
                break;
            }
            case ChunkState::data: {
                if (emitted || rest.empty()) {
                    step.consumed = pos;
                    return step;
                }
                const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_remaining_, rest.size()));
                step.data = rest.substr(0, n);
                emitted = true;
                pos += n;
                chunk_remaining_ -= n;
                payload_bytes_ += n;
                if (chunk_remaining_ == 0) state_ = ChunkState::data_crlf;
                break;
            }
            case ChunkState::data_crlf: {
                if (!rest.empty() && rest[0] != '\r')
                    return fail(400, "malformed", "chunk data not followed by CRLF (RFC 9112 §7.1)");
                if (rest.size() < 2) {
                    step.consumed = pos;
                    return step;
                }
                if (rest[1] != '\n') return fail(400, "malformed", "chunk data not followed by CRLF (RFC 9112 §7.1)");
                pos += 2;
                state_ = ChunkState::size_line;
                break;
            }
            case ChunkState::trailers: {
                // trailer-section = *( field-line CRLF ), then CRLF (RFC 9112 §7.1.2).
                const auto lf = rest.find('\n');
                if (lf == std::string_view::npos) {
                    if (trailer_bytes_ + rest.size() > limits_.max_trailer_bytes)
                        return fail(431, "too_large", "trailer section larger than the limit");
                    step.consumed = pos;
                    return step;
                }
                trailer_bytes_ += lf + 1;
                if (trailer_bytes_ > limits_.max_trailer_bytes)
                    return fail(431, "too_large", "trailer section larger than the limit");
                if (lf == 0 || rest[lf - 1] != '\r')
                    return fail(400, "malformed", "bare LF in the trailer section (RFC 9112 §2.2)");
                const auto line = rest.substr(0, lf - 1);
                if (line.find('\r') != std::string_view::npos)
                    return fail(400, "malformed", "bare CR in the trailer section (RFC 9112 §2.2)");
                pos += lf + 1;
                if (line.empty()) {
                    done_ = true;
                    break;
                }
                FieldLine field;
                if (const char* reason = parse_field_line(line, field)) return fail(400, "malformed", reason);
                if (trailers_.size() >= limits_.max_fields)
                    return fail(431, "too_large", "more trailer fields than the limit");
                trailers_.add(field.name, field.value);
                break;
            }
        }
    }
    step.consumed = pos;
    return step;
}

bool BodyDecoder::finish_at_eof() {
    if (done_) return true;
    if (!error_.reason.empty()) return false;
    if (framing_.kind == BodyFraming::close) {
        done_ = true;
        return true;
    }
    error_ = ParseError{400, "malformed", "connection closed before the end of the body"};
    return false;
}

}  // namespace rtproxy::http
