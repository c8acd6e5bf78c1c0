// The 16-byte-block checks of whole field values and request targets agree with the
// per-byte tables they stand in for, for every byte value at every position.
#include <catch2/catch.hpp>

#include <string>

#include "http/syntax.hpp"

namespace syntax = rtproxy::http::syntax;

TEST_CASE("block checks of field values and targets agree with the byte tables for every byte at every position") {
    // Lengths below, at and across the block size, so the whole blocks, the overlapping last
    // block and the short-string path all see every byte.
    for (std::size_t length = 1; length <= 40; ++length) {
        for (std::size_t at = 0; at < length; ++at) {
            for (int byte = 0; byte < 256; ++byte) {
                std::string text(length, 'a');
                text[at] = static_cast<char>(byte);
                INFO("length " << length << ", byte " << byte << " at " << at);
                REQUIRE(syntax::all_field_value_chars(text) == syntax::is_field_value_char(static_cast<char>(byte)));
                REQUIRE(syntax::all_target_chars(text) == syntax::is_target_char(static_cast<char>(byte)));
            }
        }
    }
}

TEST_CASE("a long field value of obs-text, tabs and spaces is accepted, and one DEL or CR in it is not") {
    std::string value;
    for (int i = 0; i < 100; ++i) value += static_cast<char>(i % 2 ? '\t' : ' ');
    for (int byte = 0x80; byte < 0x100; ++byte) value += static_cast<char>(byte);
    CHECK(syntax::all_field_value_chars(value));
    CHECK_FALSE(syntax::all_target_chars(value));
    for (char bad : {'\x7f', '\r', '\n', '\0'}) {
        auto spoiled = value;
        spoiled[150] = bad;
        CHECK_FALSE(syntax::all_field_value_chars(spoiled));
    }
}
