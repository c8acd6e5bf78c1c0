#pragma once
// Byte classes of the HTTP grammar (RFC 9110 §5.6.2, §5.5; RFC 9112 §3, §4), as lookup
// tables so the parser classifies a byte with one load instead of a chain of compares.
#include <array>
#include <cstddef>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

namespace detail {
#if defined(__SSE2__)
// True when no byte of `s` is flagged by `bad`, which marks a 16-byte block's bad bytes
// (0xFF lanes). Whole blocks, then one last block overlapping the previous one, so every
// load stays inside `s`; shorter strings are left to the byte tables.
template <class Bad>
bool no_bad_block(std::string_view s, Bad bad) {
    const char* p = s.data();
    const std::size_t n = s.size();
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16)
        if (_mm_movemask_epi8(bad(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)))) != 0) return false;
    if (i < n && _mm_movemask_epi8(bad(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16)))) != 0)
        return false;
    return true;
}
#endif
}  // namespace detail

// Whole field values and request targets, 16 bytes at a time: a cookie or a long URL is
// hundreds of bytes, and a table lookup per byte was most of what checking them cost.
inline bool all_field_value_chars(std::string_view s) {
#if defined(__SSE2__)
    if (s.size() >= 16)
        return detail::no_bad_block(s, [](__m128i x) {
            // Signed compares: 0x80-0xFF (obs-text, allowed) are negative, so "below 0x20"
            // needs "not negative" too.
            const __m128i control = _mm_and_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
                                                  _mm_cmpgt_epi8(x, _mm_set1_epi8(-1)));
            const __m128i control_not_tab = _mm_andnot_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\t')), control);
            return _mm_or_si128(control_not_tab, _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));
        });
#endif
    return all_of(s, is_field_value_char);
}

inline bool all_target_chars(std::string_view s) {
#if defined(__SSE2__)
    if (s.size() >= 16)
        return detail::no_bad_block(s, [](__m128i x) {
            // Good is 0x21-0x7E; bytes from 0x80 are negative and fail the first compare.
            const __m128i good = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x20)),
                                               _mm_cmplt_epi8(x, _mm_set1_epi8(0x7f)));
            return _mm_xor_si128(good, _mm_set1_epi8(-1));
        });
#endif
    return all_of(s, is_target_char);
}

}  // namespace rtproxy::http::syntax
