#include <catch2/catch.hpp>

#include <string>

#include "http/parser.hpp"

using namespace rtproxy::http;

namespace {
HeadParse<ResponseHead> parse(std::string_view bytes) {
    ResponseHeadParser parser;
    return parser.parse(bytes);
}
}  // namespace

TEST_CASE("a response head keeps its reason phrase and fields byte for byte") {
    const std::string head = "HTTP/1.1 404 Not  Found \xe9\r\nContent-Length: 0\r\nX-Y:z\r\n\r\n";
    auto r = parse(head + "HTTP/1.1");
    REQUIRE(r.status == ParseStatus::complete);
    CHECK(r.head.version == "HTTP/1.1");
    CHECK(r.head.status == 404);
    CHECK(r.head.reason == "Not  Found \xe9");
    CHECK(r.head.headers == Fields{{"Content-Length", "0"}, {"X-Y", "z"}});
    CHECK(r.consumed == head.size());
}

TEST_CASE("an empty reason phrase is fine with or without the space before it") {
    auto with_space = parse("HTTP/1.1 200 \r\n\r\n");
    REQUIRE(with_space.status == ParseStatus::complete);
    CHECK(with_space.head.reason.empty());
    auto without = parse("HTTP/1.1 301\r\n\r\n");
    REQUIRE(without.status == ParseStatus::complete);
    CHECK(without.head.status == 301);
    CHECK(parse("HTTP/1.0 200  OK\r\n\r\n").head.reason == " OK");
}

TEST_CASE("the status code is exactly three digits 100-999 after exactly one space") {
    for (auto bad : {"HTTP/1.1  200 OK\r\n\r\n", "HTTP/1.1 2 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n",
                     "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 099 OK\r\n\r\n", "HTTP/1.1 20x OK\r\n\r\n",
                     "HTTP/1.1\t200 OK\r\n\r\n", "HTTP/1.1 200\tOK\r\n\r\n", "HTTP/1.1\r\n\r\n"}) {
        INFO(bad);
        auto r = parse(bad);
        CHECK(r.status == ParseStatus::error);
        CHECK(r.error.status == 400);
    }
    CHECK(parse("HTTP/1.1 999 Odd\r\n\r\n").head.status == 999);
    CHECK(parse("HTTP/1.1 100 Continue\r\n\r\n").head.is_interim());
}

TEST_CASE("response versions other than HTTP/1.0 and HTTP/1.1 are rejected") {
    for (auto bad : {"HTTP/2.0 200 OK\r\n\r\n", "HTTP/0.9 200 OK\r\n\r\n", "HTTP/1.01 200 OK\r\n\r\n",
                     "ICE/1.1 200 OK\r\n\r\n", "HTTP/01.1 200 OK\r\n\r\n"}) {
        INFO(bad);
        CHECK(parse(bad).status == ParseStatus::error);
    }
}

TEST_CASE("a control character in the reason phrase is rejected") {
    CHECK(parse("HTTP/1.1 200 O\x01K\r\n\r\n").status == ParseStatus::error);
}

TEST_CASE("response heads obey the same line rules as requests") {
    for (auto bad : {"HTTP/1.1 200 OK\nContent-Length: 0\n\n", "HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n",
                     "HTTP/1.1 200 OK\r\n Host: foo\r\n\r\n", "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n",
                     "HTTP/1.1 200 OK\r\nen-US Content-Type: text/xml\r\n\r\n"}) {
        INFO(bad);
        CHECK(parse(bad).status == ParseStatus::error);
    }
    auto leading = parse("\r\nHTTP/1.1 200 OK\r\n\r\n");
    REQUIRE(leading.status == ParseStatus::complete);
    CHECK(leading.consumed == 21);
}

TEST_CASE("a 1xx head is returned alone; the final response follows in the same buffer") {
    const std::string bytes = "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\n\r\n";
    ResponseHeadParser parser;
    auto interim = parser.parse(bytes);
    REQUIRE(interim.status == ParseStatus::complete);
    CHECK(interim.head.status == 103);
    auto final_head = parser.parse(std::string_view(bytes).substr(interim.consumed));
    REQUIRE(final_head.status == ParseStatus::complete);
    CHECK(final_head.head.status == 200);
}
