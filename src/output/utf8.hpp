#pragma once
// UTF-8 well-formedness, byte by byte. Header values, targets and reasons are bytes on the
// wire (RFC 9110 §5.5 allows obs-text), so the output layer must decide what is text.
#include <cstddef>
#include <string_view>

namespace rtproxy::output::utf8 {

// Length of the well-formed UTF-8 sequence starting at s[0] (1..4), or 0 when s[0] does not
// start one. Follows Unicode §3.9 Table 3-7: no overlong forms, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF.
inline std::size_t sequence_length(std::string_view s) {
    if (s.empty()) return 0;
    const auto b0 = static_cast<unsigned char>(s[0]);
    if (b0 < 0x80) return 1;
    auto at = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    auto cont = [&](std::size_t i) { return i < s.size() && (at(i) & 0xC0) == 0x80; };
    if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (s.size() < 3 || !cont(1) || !cont(2)) return 0;
        if (b0 == 0xE0 && at(1) < 0xA0) return 0;  // overlong
        if (b0 == 0xED && at(1) > 0x9F) return 0;  // surrogate
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (s.size() < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
        if (b0 == 0xF0 && at(1) < 0x90) return 0;  // overlong
        if (b0 == 0xF4 && at(1) > 0x8F) return 0;  // above U+10FFFF
        return 4;
    }
    return 0;  // 0x80..0xC1 (continuation or overlong lead), 0xF5..0xFF
}

inline constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace rtproxy::output::utf8
