// Field-name comparison: RFC 9110 §5.1 names are case-insensitive, ASCII letters only.
#include <catch2/catch.hpp>

#include <string>

#include "http/fields.hpp"

using rtproxy::http::iequals;

namespace {

unsigned char ascii_lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c + 32) : c; }

}  // namespace

TEST_CASE("iequals folds the case of ASCII letters and of nothing else, for every pair of bytes") {
    // Bytes are folded only when they differ, by setting bit 0x20: that must never make two
    // different non-letters ('@' and '`', '[' and '{', 0xC0 and 0xE0) equal.
    for (int x = 0; x < 256; ++x) {
        for (int y = 0; y < 256; ++y) {
            const std::string a{'k', static_cast<char>(x), 'z'};
            const std::string b{'K', static_cast<char>(y), 'Z'};
            const bool expected = ascii_lower(static_cast<unsigned char>(x)) == ascii_lower(static_cast<unsigned char>(y));
            if (iequals(a, b) != expected) FAIL("bytes " << x << " and " << y);
        }
    }
    CHECK(iequals("Content-Length", "content-length"));
    CHECK_FALSE(iequals("Content-Length", "Content-Lengt"));
    CHECK(iequals("", ""));
}
