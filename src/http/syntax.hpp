#pragma once
// Byte classes of the HTTP grammar (RFC 9110 §5.6.2, §5.5; RFC 9112 §3, §4), as lookup
// tables so the parser classifies a byte with one load instead of a chain of compares.
#include <array>
#include <string_view>

namespace rtproxy::http::syntax {

namespace detail {
template <class Pred>
constexpr std::array<bool, 256> table(Pred pred) {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) t[static_cast<std::size_t>(c)] = pred(c);
    return t;
}
constexpr bool tchar(int c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}
inline constexpr auto tchar_table = table(tchar);
// field-vchar / SP / HTAB (RFC 9110 §5.5): obs-text 0x80-0xFF is allowed, CTLs are not.
inline constexpr auto field_value_table = table([](int c) { return c == '\t' || (c >= 0x20 && c != 0x7f); });
// request-target (RFC 9112 §3.2) is ASCII without whitespace or controls.
inline constexpr auto target_table = table([](int c) { return c > 0x20 && c < 0x7f; });
}  // namespace detail

inline bool is_tchar(char c) { return detail::tchar_table[static_cast<unsigned char>(c)]; }
inline bool is_field_value_char(char c) { return detail::field_value_table[static_cast<unsigned char>(c)]; }
inline bool is_target_char(char c) { return detail::target_table[static_cast<unsigned char>(c)]; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

inline bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_tchar(c)) return false;
    return true;
}

template <class Pred>
bool all_of(std::string_view s, Pred pred) {
    for (char c : s)
        if (!pred(c)) return false;
    return true;
}

}  // namespace rtproxy::http::syntax
