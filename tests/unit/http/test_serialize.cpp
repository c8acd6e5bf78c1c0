#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "http/parser.hpp"
#include "http/serialize.hpp"

using namespace rtproxy::http;

TEST_CASE("a canonical request head serializes back to the exact bytes it was parsed from") {
    const std::string wire =
        "PATCH /file.txt?x=1 HTTP/1.1\r\nHost: www.example.com\r\ncontent-type: application/example\r\n"
        "If-Match: \"e0023aa4e\"\r\nX-Dup: 1\r\nX-DUP: 2\r\nX-Empty: \r\nContent-Length: 10\r\n\r\n";
    RequestHeadParser parser;
    auto parsed = parser.parse(wire);
    REQUIRE(parsed.status == ParseStatus::complete);
    std::string out;
    append_request_head(out, parsed.head);
    CHECK(out == wire);
}

TEST_CASE("a canonical response head serializes back to the exact bytes it was parsed from") {
    const std::string wire = "HTTP/1.0 404 Not \xc3\xa9 Found\r\nServer: x\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n";
    ResponseHeadParser parser;
    auto parsed = parser.parse(wire);
    REQUIRE(parsed.status == ParseStatus::complete);
    std::string out;
    append_response_head(out, parsed.head);
    CHECK(out == wire);
}

TEST_CASE("a response without a reason phrase gets the required space back (RFC 9112 §4)") {
    std::string out;
    append_response_head(out, ResponseHead{"HTTP/1.1", 204, "", {}});
    CHECK(out == "HTTP/1.1 204 \r\n\r\n");
}

TEST_CASE("serializing appends to what is already in the buffer") {
    std::string out = "prefix";
    append_fields(out, Fields{{"A", "1"}, {"b", "two words"}});
    CHECK(out == "prefixA: 1\r\nb: two words\r\n");
}

TEST_CASE("chunk framing is written in lower-case hex with CRLFs") {
    std::string out;
    append_chunk_header(out, 0x1a2b);
    out += "data";
    append_chunk_end(out);
    append_last_chunk(out, {});
    CHECK(out == "1a2b\r\ndata\r\n0\r\n\r\n");
    std::string with_trailers;
    append_last_chunk(with_trailers, Fields{{"Expires", "never"}});
    CHECK(with_trailers == "0\r\nExpires: never\r\n\r\n");
}

TEST_CASE("a head written piece by piece keeps exactly what was written, within the bound it was given") {
    std::string out = "x";
    {
        HeadWriter w(out, HeadWriter::head_bound("HTTP/1.1", "OK", Fields{{"A", "1"}}) +
                              HeadWriter::field_size("Extra", "yes") + 100);
        w.status_line("HTTP/1.1", 200, "OK");
        w.field("A", "1");
        w.field("Extra", "yes");
        w.end();
    }
    CHECK(out == "xHTTP/1.1 200 OK\r\nA: 1\r\nExtra: yes\r\n\r\n");

    // The bound leaves room for any int as the status, not only three digits.
    std::string widest;
    {
        HeadWriter w(widest, HeadWriter::head_bound("HTTP/1.1", "", {}));
        w.status_line("HTTP/1.1", std::numeric_limits<int>::min(), "");
        w.end();
    }
    CHECK(widest == "HTTP/1.1 -2147483648 \r\n\r\n");
}
