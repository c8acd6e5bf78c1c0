// The raw-cursor JSON writer: numbers, strings and patching, byte for byte.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "output/json_writer.hpp"

using rtproxy::output::JsonWriter;

namespace {

std::string real_text(double value) {
    std::string out;
    JsonWriter w(out);
    w.real(value);
    w.finish();
    return out;
}

// `text` as a JSON string appended to `out`; false when an invalid byte was replaced.
bool append_json_string(std::string& out, std::string_view text) {
    JsonWriter w(out);
    w.string(text);
    return !w.lossy();
}

}  // namespace

TEST_CASE("reals are fixed point to six decimals, trailing zeros trimmed, always with a fraction") {
    CHECK(real_text(0) == "0.0");
    CHECK(real_text(3) == "3.0");
    CHECK(real_text(1.5) == "1.5");
    CHECK(real_text(0.001234) == "0.001234");
    CHECK(real_text(4.983508) == "4.983508");
    CHECK(real_text(123.4567891) == "123.456789");  // a nanosecond is the precision
    CHECK(real_text(0.0000004) == "0.0");
    CHECK(real_text(-2.25) == "-2.25");
    CHECK(real_text(1500.25) == "1500.25");
    CHECK(real_text(8999999999.5) == "8999999999.5");
}

TEST_CASE("reals agree with printf's six decimals, trailing zeros trimmed, for every fraction digit pattern") {
    // The fraction is written two digits at a time from a table and its zeros trimmed
    // afterwards: every position of every digit must come out right.
    for (int whole : {0, 7, 1234}) {
        for (int millionths = 0; millionths < 1'000'000; millionths += 7) {
            const double value = whole + millionths / 1e6;
            char expected[64];
            std::snprintf(expected, sizeof expected, "%.6f", value);
            std::string text = expected;
            while (text.back() == '0' && text[text.size() - 2] != '.') text.pop_back();
            INFO(value);
            REQUIRE(real_text(value) == text);
            REQUIRE(real_text(-value - 1) == "-" + std::to_string(whole + 1) + text.substr(text.find('.')));
        }
    }
}

TEST_CASE("reals too large for the fixed form take the general form and stay floats") {
    CHECK(real_text(1e12) == "1e+12");
    CHECK(real_text(12345678901.5) == "12345678901.5");
    CHECK(real_text(-1e15) == "-1e+15");
    CHECK(real_text(std::numeric_limits<double>::quiet_NaN()) == "null");
    CHECK(real_text(std::numeric_limits<double>::infinity()) == "null");
}

TEST_CASE("the writer appends to what the string held and cuts it back when finished") {
    std::string out = "prefix:";
    {
        JsonWriter w(out);
        w.begin_object();
        w.key("a").number(std::int64_t{-7});
        w.key("b").string("x\"y");
        w.key("c").boolean(true);
        w.key("d").null();
        w.end_object();
    }  // the destructor finishes
    CHECK(out == R"(prefix:{"a":-7,"b":"x\"y","c":true,"d":null})");
}

TEST_CASE("a string longer than the first growth step is written whole") {
    const std::string big(100'000, 'z');
    std::string out;
    JsonWriter w(out);
    w.begin_array();
    w.string(big);
    w.string(std::string(5000, '\x01'));  // each byte becomes six
    w.end_array();
    w.finish();
    REQUIRE(out.size() == 1 + (big.size() + 2) + 1 + (5000 * 6 + 2) + 1);
    CHECK(out.compare(2, big.size(), big) == 0);
    CHECK(out.substr(big.size() + 5, 12) == "\\u0001\\u0001");
}

TEST_CASE("replace patches a written value with a shorter one and keeps what follows") {
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.key("lossy");
    const auto at = w.offset();
    w.boolean(false);
    w.key("next").number(std::int64_t{1});
    w.replace(at, 5, "true");
    w.end_object();
    w.finish();
    CHECK(out == R"({"lossy":true,"next":1})");
}

TEST_CASE("every byte value is escaped or kept the same at every position of the word-at-a-time scan") {
    // Blocks of 4, 8 and 16 bytes are checked at once, overlapping at the end of the string,
    // and the path taken depends on the length: a special byte must be caught wherever it
    // falls, in a string of any length up to two and a half 16-byte blocks.
    for (int byte = 0; byte < 256; ++byte) {
        for (std::size_t length = 1; length <= 40; ++length) {
            for (std::size_t at = 0; at < length; ++at) {
                std::string text(length, 'a');
                text[at] = static_cast<char>(byte);
                std::string out;
                const bool valid = append_json_string(out, text);
                INFO("byte " << byte << " at " << at << " of " << length);
                if (byte >= 0x80) {
                    // a lone byte of 0x80 and above is never well-formed UTF-8
                    CHECK_FALSE(valid);
                    CHECK(out.find("\xEF\xBF\xBD") == at + 1);
                } else {
                    CHECK(valid);
                    const auto parsed = nlohmann::json::parse(out).get<std::string>();
                    CHECK(parsed == text);
                    const bool escaped = byte < 0x20 || byte == '"' || byte == '\\';
                    CHECK((out.size() > text.size() + 2) == escaped);
                }
            }
        }
    }
}

TEST_CASE("name_value writes a header pair exactly as the object of two strings it stands for") {
    const std::pair<std::string, std::string> pairs[] = {
        {"Host", "127.0.0.1:8080"}, {"X-\"Quoted\"", "a\\b\x01\tc"}, {"", ""}, {"Bad", "caf\xC3\xA9 \xFF"},
        {std::string(40, 'n'), std::string(300, 'v')}};
    for (const auto& [name, value] : pairs) {
        INFO(name << ": " << value);
        std::string fused;
        std::string by_parts;
        bool fused_lossy = false;
        bool parts_lossy = false;
        {
            JsonWriter w(fused);
            w.begin_array();
            w.name_value("first", "1");
            w.name_value(name, value);
            w.end_array();
            fused_lossy = w.lossy();
        }
        {
            JsonWriter w(by_parts);
            w.begin_array();
            for (const auto& [n, v] : {std::pair<std::string, std::string>{"first", "1"}, {name, value}}) {
                w.begin_object();
                w.key("name").string(n);
                w.key("value").string(v);
                w.end_object();
            }
            w.end_array();
            parts_lossy = w.lossy();
        }
        CHECK(fused == by_parts);
        CHECK(fused_lossy == parts_lossy);
    }
}

TEST_CASE("text runs mix with the calls that decide commas: a run ending in a name or an opening takes no comma after it") {
    std::string out;
    {
        JsonWriter w(out);
        w.begin_array();
        w.text("{\"a\":").number(1);
        w.text(",\"b\":[");
        w.string("x");
        w.string("y");
        w.text("]}");
        w.begin_object();  // after a run ending in '}': a comma first
        w.key("c").null();
        w.end_object();
        w.text(",{");  // a run after a value spells its own comma
        w.key("d").boolean(false);
        w.text("}");
        w.end_array();
    }
    CHECK(out == R"([{"a":1,"b":["x","y"]},{"c":null},{"d":false}])");
}
