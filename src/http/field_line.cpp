#include "http/field_line.hpp"

#include "http/fields.hpp"
#include "http/syntax.hpp"

namespace rtproxy::http {

const char* parse_field_line(std::string_view line, FieldLine& out) {
    if (line.empty()) return "empty field line";
    if (line.front() == ' ' || line.front() == '\t')
        // RFC 9112 §5.2: obs-fold must be rejected (or replaced) by a proxy; rejecting keeps
        // the bytes we forward identical to the bytes we parsed.
        return "line folding (obs-fold) is not allowed (RFC 9112 §5.2)";
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return "field line without a colon";
    const auto name = line.substr(0, colon);
    if (name.empty()) return "empty field name";
    if (name.back() == ' ' || name.back() == '\t')
        // RFC 9112 §5.1: MUST reject; a lenient peer would read a different field name.
        return "whitespace between field name and colon (RFC 9112 §5.1)";
    if (!syntax::is_token(name)) return "field name is not a token (RFC 9110 §5.1)";
    const auto value = trim_ows(line.substr(colon + 1));
    if (!syntax::all_field_value_chars(value))  // the usual case is decided in 16-byte blocks
        for (char c : value)
            if (!syntax::is_field_value_char(c))
                return c == '\0' ? "NUL byte in a field value" : "control character in a field value (RFC 9110 §5.5)";
    out.name = name;
    out.value = value;
    return nullptr;
}

}  // namespace rtproxy::http
