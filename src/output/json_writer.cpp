#include "output/json_writer.hpp"

#include <charconv>
#include <cmath>

#include "output/utf8.hpp"

namespace rtproxy::output {

namespace {

// Bytes that cannot be copied verbatim into a JSON string: '"', '\\', C0 controls (RFC 8259
// §7) and anything non-ASCII, which must be checked for UTF-8 well-formedness first.
bool needs_attention(unsigned char c) { return c < 0x20 || c == '"' || c == '\\' || c >= 0x80; }

void append_escaped_control(std::string& out, unsigned char c) {
    switch (c) {
        case '\b': out += "\\b"; return;
        case '\f': out += "\\f"; return;
        case '\n': out += "\\n"; return;
        case '\r': out += "\\r"; return;
        case '\t': out += "\\t"; return;
        default: break;
    }
    constexpr char hex[] = "0123456789abcdef";
    const char escaped[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
    out.append(escaped, sizeof escaped);
}

}  // namespace

bool append_json_string(std::string& out, std::string_view text) {
    bool valid = true;
    out += '"';
    std::size_t i = 0;
    while (i < text.size()) {
        // Copy the longest run of plain ASCII in one append: the common case for headers.
        std::size_t run = i;
        while (run < text.size() && !needs_attention(static_cast<unsigned char>(text[run]))) ++run;
        if (run > i) {
            out.append(text.data() + i, run - i);
            i = run;
            if (i == text.size()) break;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
            ++i;
        } else if (c < 0x20) {
            append_escaped_control(out, c);
            ++i;
        } else if (auto n = utf8::sequence_length(text.substr(i)); n != 0) {
            out.append(text.data() + i, n);
            i += n;
        } else {
            out += utf8::replacement_character;
            valid = false;
            ++i;
        }
    }
    out += '"';
    return valid;
}

void JsonWriter::separate() {
    if (need_comma_) out_ += ',';
    need_comma_ = true;
}

void JsonWriter::begin_object() {
    separate();
    out_ += '{';
    need_comma_ = false;
}

void JsonWriter::end_object() {
    out_ += '}';
    need_comma_ = true;
}

void JsonWriter::begin_array() {
    separate();
    out_ += '[';
    need_comma_ = false;
}

void JsonWriter::end_array() {
    out_ += ']';
    need_comma_ = true;
}

JsonWriter& JsonWriter::key(std::string_view name) {
    if (need_comma_) out_ += ',';
    out_ += '"';
    out_ += name;
    out_ += "\":";
    need_comma_ = false;
    return *this;
}

JsonWriter& JsonWriter::text_key(std::string_view name) {
    if (need_comma_) out_ += ',';
    if (!append_json_string(out_, name)) lossy_ = true;
    out_ += ':';
    need_comma_ = false;
    return *this;
}

void JsonWriter::string(std::string_view text) {
    separate();
    if (!append_json_string(out_, text)) lossy_ = true;
}

void JsonWriter::string_or_null(const std::optional<std::string>& text) {
    if (text)
        string(*text);
    else
        null();
}

void JsonWriter::number(std::int64_t value) {
    separate();
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    out_.append(buffer, end);
}

void JsonWriter::number(std::uint64_t value) {
    separate();
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    out_.append(buffer, end);
}

void JsonWriter::real(double value) {
    if (!std::isfinite(value)) {
        null();
        return;
    }
    separate();
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    out_.append(buffer, end);
    if (std::string_view(buffer, static_cast<std::size_t>(end - buffer)).find_first_of(".e") == std::string_view::npos)
        out_ += ".0";
}

void JsonWriter::real(const std::optional<double>& value) {
    if (value)
        real(*value);
    else
        null();
}

void JsonWriter::boolean(bool value) {
    separate();
    out_ += value ? "true" : "false";
}

void JsonWriter::null() {
    separate();
    out_ += "null";
}

}  // namespace rtproxy::output
