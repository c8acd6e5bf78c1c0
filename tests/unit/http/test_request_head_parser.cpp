#include <catch2/catch.hpp>

#include <string>

#include "http/parser.hpp"

using namespace rtproxy::http;
using namespace std::string_literals;

namespace {

HeadParse<RequestHead> parse(std::string_view bytes, Limits limits = {}) {
    RequestHeadParser parser(limits);
    return parser.parse(bytes);
}

// The parse must fail with 400 "malformed" and a reason mentioning `why`.
void require_malformed(std::string_view bytes, std::string_view why) {
    INFO(std::string(bytes));
    auto r = parse(bytes);
    REQUIRE(r.status == ParseStatus::error);
    CHECK(r.error.status == 400);
    CHECK(r.error.kind == "malformed");
    CHECK_THAT(r.error.reason, Catch::Contains(std::string(why), Catch::CaseSensitive::No));
}

}  // namespace

TEST_CASE("a request head is parsed with header order, case and duplicates as on the wire") {
    const std::string head = "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nX-Dup: 1\r\nx-dup: 2\r\nACCEPT:  */* \t\r\n\r\n";
    auto r = parse(head + "body");
    REQUIRE(r.status == ParseStatus::complete);
    CHECK(r.consumed == head.size());
    CHECK(r.head.method == "GET");
    CHECK(r.head.target == "/a?b=c");
    CHECK(r.head.version == "HTTP/1.1");
    CHECK(r.head.headers == Fields{{"Host", "example.com"}, {"X-Dup", "1"}, {"x-dup", "2"}, {"ACCEPT", "*/*"}});
}

TEST_CASE("field values keep inner whitespace, HTAB and obs-text byte for byte") {
    auto r = parse("GET / HTTP/1.1\r\nHost: h\r\nX: a \t b\xff\x80 c\r\nEmpty:\r\n\r\n");
    REQUIRE(r.status == ParseStatus::complete);
    CHECK(r.head.headers[1].value == "a \t b\xff\x80 c");
    CHECK(r.head.headers[2].value.empty());
}

TEST_CASE("one empty line before the request line is ignored, a second one is not") {
    const std::string head = "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
    auto one = parse(head + "next");
    REQUIRE(one.status == ParseStatus::complete);
    CHECK(one.consumed == head.size());
    require_malformed("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", "request line");
}

TEST_CASE("HTTP/1.0 requests need no Host, HTTP/1.1 requests need exactly one") {
    CHECK(parse("GET / HTTP/1.0\r\n\r\n").status == ParseStatus::complete);
    require_malformed("GET / HTTP/1.1\r\n\r\n", "without a Host");
    require_malformed("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", "more than one Host");
    require_malformed("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", "more than one Host");
}

TEST_CASE("malformed request heads are rejected with a reason") {
    SECTION("bare LF") { require_malformed("GET / HTTP/1.1\nHost: h\r\n\r\n", "bare LF"); }
    SECTION("bare LF in a field line") { require_malformed("GET / HTTP/1.1\r\nHost: h\n\r\n", "bare LF"); }
    SECTION("bare LF as the final line") { require_malformed("GET / HTTP/1.1\r\nHost: h\r\n\n", "bare LF"); }
    SECTION("bare CR") { require_malformed("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", "bare CR"); }
    SECTION("bare CR in the request line") { require_malformed("GET /\r HTTP/1.1\r\nHost: h\r\n\r\n", "bare CR"); }
    SECTION("obs-fold") { require_malformed("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", "obs-fold"); }
    SECTION("obs-fold with HTAB") { require_malformed("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n", "obs-fold"); }
    SECTION("whitespace before the first field line") {
        require_malformed("GET / HTTP/1.1\r\n Host: h\r\n\r\n", "before the first field line");
    }
    SECTION("space before the colon") { require_malformed("GET / HTTP/1.1\r\nHost : h\r\n\r\n", "between field name and colon"); }
    SECTION("tab before the colon") { require_malformed("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", "between field name and colon"); }
    SECTION("NUL in a value") { require_malformed("GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n"s, "NUL"); }
    SECTION("control character in a value") { require_malformed("GET / HTTP/1.1\r\nHost: h\r\nX: a\x0c b\r\n\r\n", "control"); }
    SECTION("DEL in a value") { require_malformed("GET / HTTP/1.1\r\nHost: h\r\nX: a\x7f\r\n\r\n", "control"); }
    SECTION("NUL in a name") { require_malformed("GET / HTTP/1.1\r\nHost: h\r\nX\0Y: a\r\n\r\n"s, "not a token"); }
    SECTION("name that is not a token") { require_malformed("GET / HTTP/1.1\r\nHost: h\r\nX@Y: a\r\n\r\n", "not a token"); }
    SECTION("non-ASCII name") { require_malformed("GET / HTTP/1.1\r\nHost: h\r\nX\xe9: a\r\n\r\n", "not a token"); }
    SECTION("line without a colon") { require_malformed("GET / HTTP/1.1\r\nHost: h\r\nnocolon\r\n\r\n", "without a colon"); }
    SECTION("empty field name") { require_malformed("GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", "empty field name"); }
    SECTION("method that is not a token") { require_malformed("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", "method"); }
    SECTION("empty method") { require_malformed(" / HTTP/1.1\r\nHost: h\r\n\r\n", "method"); }
    SECTION("space inside the target") { require_malformed("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", "request-target"); }
    SECTION("two spaces after the method") { require_malformed("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", "request-target"); }
    SECTION("control character in the target") { require_malformed("GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n", "request-target"); }
    SECTION("non-ASCII target") { require_malformed("GET /\xce\xb4 HTTP/1.1\r\nHost: h\r\n\r\n", "request-target"); }
    SECTION("HTTP/2.0") { require_malformed("GET / HTTP/2.0\r\nHost: h\r\n\r\n", "unsupported HTTP version"); }
    SECTION("lower-case version") { require_malformed("GET / http/1.1\r\nHost: h\r\n\r\n", "malformed HTTP version"); }
    SECTION("HTTP/0.9 simple request") { require_malformed("GET /\r\n\r\n", "HTTP/0.9"); }
    SECTION("empty request line") { require_malformed("\r\n\r\n", "request line"); }
}

TEST_CASE("an invalid line is rejected as soon as it is complete, before the head ends") {
    auto r = parse("GET / HTTP/1.1\r\nBad Name: x\r\nHost: h\r\n");
    CHECK(r.status == ParseStatus::error);
    CHECK(parse("GET / HTTP/9.9\r\n").status == ParseStatus::error);
}

TEST_CASE("a head arriving byte by byte is parsed once complete, with an O(n) scan") {
    const std::string head = "POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\nX-Long: " +
                             std::string(500, 'v') + "\r\n\r\n";
    const std::string bytes = head + "abcGET";
    RequestHeadParser parser;
    std::string buffer;
    HeadParse<RequestHead> r;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        buffer += bytes[i];
        r = parser.parse(buffer);
        if (i + 1 < head.size()) {
            REQUIRE(r.status == ParseStatus::need_more);
        } else {
            break;
        }
    }
    REQUIRE(r.status == ParseStatus::complete);
    CHECK(r.consumed == head.size());
    CHECK(r.head.headers.size() == 3);
    CHECK(r.head.headers[2].value == std::string(500, 'v'));
}

TEST_CASE("an error arriving byte by byte is found exactly like all at once") {
    const std::string bytes = "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n";
    RequestHeadParser parser;
    std::string buffer;
    HeadParse<RequestHead> r;
    for (char c : bytes) {
        buffer += c;
        r = parser.parse(buffer);
        if (r.status != ParseStatus::need_more) break;
    }
    REQUIRE(r.status == ParseStatus::error);
    CHECK(r.error.reason == parse(bytes).error.reason);
}

TEST_CASE("pipelined requests are parsed one after another from the same buffer") {
    const std::string bytes = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 HT";
    RequestHeadParser parser;
    std::string_view rest = bytes;
    auto first = parser.parse(rest);
    REQUIRE(first.status == ParseStatus::complete);
    CHECK(first.head.target == "/1");
    rest.remove_prefix(first.consumed);
    auto second = parser.parse(rest);
    REQUIRE(second.status == ParseStatus::complete);
    CHECK(second.head.target == "/2");
    rest.remove_prefix(second.consumed);
    CHECK(parser.parse(rest).status == ParseStatus::need_more);
    CHECK(rest == "GET /3 HT");
}

TEST_CASE("heads over the limits are refused with 431 too_large") {
    Limits limits;
    limits.max_head_bytes = 64;
    limits.max_fields = 2;

    SECTION("a complete head larger than max_head_bytes") {
        auto r = parse("GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(60, 'a') + "\r\n\r\n", limits);
        REQUIRE(r.status == ParseStatus::error);
        CHECK(r.error.status == 431);
        CHECK(r.error.kind == "too_large");
    }
    SECTION("an unfinished head is refused as soon as it passes the limit") {
        RequestHeadParser parser(limits);
        std::string buffer = "GET / HTTP/1.1\r\nHost: h\r\nX: ";
        REQUIRE(parser.parse(buffer).status == ParseStatus::need_more);
        buffer.append(64 - buffer.size(), 'a');
        REQUIRE(parser.parse(buffer).status == ParseStatus::need_more);
        buffer += 'a';
        auto r = parser.parse(buffer);
        REQUIRE(r.status == ParseStatus::error);
        CHECK(r.error.status == 431);
    }
    SECTION("a head exactly at the limit is fine") {
        const std::string head = "GET / HTTP/1.1\r\nHost: h\r\nX: ";
        const std::string bytes = head + std::string(64 - head.size() - 4, 'a') + "\r\n\r\n";
        REQUIRE(bytes.size() == 64);
        CHECK(parse(bytes, limits).status == ParseStatus::complete);
    }
    SECTION("an unfinished head is refused as soon as it has one field too many") {
        RequestHeadParser parser(limits);
        auto r = parser.parse("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n");
        REQUIRE(r.status == ParseStatus::error);
        CHECK(r.error.status == 431);
        CHECK(r.error.reason == "more header fields than the limit");
    }
    SECTION("more fields than max_fields") {
        CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\n\r\n", limits).status == ParseStatus::complete);
        auto r = parse("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", limits);
        REQUIRE(r.status == ParseStatus::error);
        CHECK(r.error.status == 431);
        CHECK(r.error.kind == "too_large");
    }
}

TEST_CASE("reset() lets one parser start over on a different buffer") {
    RequestHeadParser parser;
    CHECK(parser.parse("GET / HTTP/1.1\r\nHost: h\r\nX-Partial: 1\r\n").status == ParseStatus::need_more);
    parser.reset();
    auto r = parser.parse("PUT /x HTTP/1.0\r\n\r\n");
    REQUIRE(r.status == ParseStatus::complete);
    CHECK(r.head.method == "PUT");
    CHECK(r.head.headers.empty());  // nothing kept from the head given up on
}

TEST_CASE("a buffer shorter than what was scanned is parsed from its start, no field kept twice") {
    RequestHeadParser parser;
    CHECK(parser.parse("GET / HTTP/1.1\r\nHost: h\r\nX-Partial: 1\r\n").status == ParseStatus::need_more);
    auto r = parser.parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    REQUIRE(r.status == ParseStatus::complete);
    REQUIRE(r.head.headers.size() == 1);
    CHECK(r.head.headers[0].name == "Host");
}
