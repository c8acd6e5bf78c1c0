#include <catch2/catch.hpp>

#include "http/parser.hpp"

using namespace rtproxy::http;

namespace {

RequestHead request(Fields headers, std::string version = "HTTP/1.1") {
    headers.add("Host", "h");
    return RequestHead{"POST", "/", std::move(version), std::move(headers)};
}

void require_rejected(const FramingDecision& d, std::string_view why) {
    REQUIRE_FALSE(d.ok);
    CHECK(d.error.status == 400);
    CHECK(d.error.kind == "malformed");
    CHECK_THAT(d.error.reason, Catch::Contains(std::string(why), Catch::CaseSensitive::No));
}

}  // namespace

TEST_CASE("a request without Content-Length or Transfer-Encoding has no body") {
    auto d = request_framing(request({}));
    REQUIRE(d.ok);
    CHECK(d.framing.kind == BodyFraming::none);
}

TEST_CASE("Content-Length frames a request body, leading zeros and OWS allowed") {
    auto d = request_framing(request({{"content-LENGTH", "003"}}));
    REQUIRE(d.ok);
    CHECK(d.framing.kind == BodyFraming::length);
    CHECK(d.framing.content_length == 3);
    CHECK(request_framing(request({{"Content-Length", "18446744073709551615"}})).framing.content_length ==
          UINT64_MAX);
}

TEST_CASE("repeated identical Content-Length values collapse into one (RFC 9112 §6.3)") {
    auto d = request_framing(request({{"Content-Length", "5"}, {"Content-Length", "5, 5"}}));
    REQUIRE(d.ok);
    CHECK(d.framing.content_length == 5);
}

TEST_CASE("bad Content-Length values are rejected") {
    require_rejected(request_framing(request({{"Content-Length", "1"}, {"Content-Length", "2"}})), "differ");
    require_rejected(request_framing(request({{"Content-Length", "1, 2"}})), "differ");
    require_rejected(request_framing(request({{"Content-Length", ""}})), "empty");
    require_rejected(request_framing(request({{"Content-Length", "1,"}})), "empty");
    require_rejected(request_framing(request({{"Content-Length", "+1"}})), "not a number");
    require_rejected(request_framing(request({{"Content-Length", "-1"}})), "not a number");
    require_rejected(request_framing(request({{"Content-Length", "0x10"}})), "not a number");
    require_rejected(request_framing(request({{"Content-Length", "4 2"}})), "not a number");
    require_rejected(request_framing(request({{"Content-Length", "18446744073709551616"}})), "overflow");
    require_rejected(request_framing(request({{"Content-Length", "1000000000000000000000"}})), "overflow");
}

TEST_CASE("Transfer-Encoding: chunked frames a request body") {
    auto d = request_framing(request({{"Transfer-Encoding", "Chunked"}}));
    REQUIRE(d.ok);
    CHECK(d.framing.kind == BodyFraming::chunked);
}

TEST_CASE("requests with ambiguous or unsupported Transfer-Encoding are rejected") {
    require_rejected(request_framing(request({{"Transfer-Encoding", "chunked"}, {"Content-Length", "3"}})),
                     "Content-Length together with Transfer-Encoding");
    require_rejected(request_framing(request({{"Transfer-Encoding", "chunked"}}, "HTTP/1.0")), "HTTP/1.0");
    require_rejected(request_framing(request({{"Transfer-Encoding", "gzip, chunked"}})), "accepts only");
    require_rejected(request_framing(request({{"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}})),
                     "accepts only");
    require_rejected(request_framing(request({{"Transfer-Encoding", "chunked, chunked"}})), "accepts only");
    require_rejected(request_framing(request({{"Transfer-Encoding", "chunked, gzip"}})), "does not end in chunked");
    require_rejected(request_framing(request({{"Transfer-Encoding", "identity"}})), "does not end in chunked");
    require_rejected(request_framing(request({{"Transfer-Encoding", "chunkedchunked"}})), "does not end in chunked");
    require_rejected(request_framing(request({{"Transfer-Encoding", ""}})), "empty Transfer-Encoding");
}

namespace {
ResponseHead response(int status, Fields headers, std::string version = "HTTP/1.1") {
    return ResponseHead{std::move(version), status, "", std::move(headers)};
}
BodyFraming kind(const ResponseHead& head, std::string_view method = "GET") {
    auto d = response_framing(head, method);
    REQUIRE(d.ok);
    return d.framing.kind;
}
}  // namespace

TEST_CASE("responses without a body by rule (RFC 9112 §6.3 items 1-2)") {
    const Fields cl{{"Content-Length", "10"}};
    CHECK(kind(response(200, cl), "HEAD") == BodyFraming::none);
    CHECK(kind(response(100, cl)) == BodyFraming::none);
    CHECK(kind(response(101, {})) == BodyFraming::none);
    CHECK(kind(response(204, cl)) == BodyFraming::none);
    CHECK(kind(response(304, {{"Transfer-Encoding", "chunked"}})) == BodyFraming::none);
    CHECK(kind(response(200, {}), "CONNECT") == BodyFraming::none);
    CHECK(kind(response(407, {}), "CONNECT") == BodyFraming::close);
}

TEST_CASE("response bodies framed by Transfer-Encoding, Content-Length or close") {
    CHECK(kind(response(200, {{"Transfer-Encoding", "gzip, chunked"}})) == BodyFraming::chunked);
    CHECK(kind(response(200, {{"Transfer-Encoding", "chunked"}, {"Content-Length", "3"}})) == BodyFraming::chunked);
    CHECK(kind(response(200, {{"Transfer-Encoding", "chunked, gzip"}})) == BodyFraming::close);
    CHECK(kind(response(200, {{"Transfer-Encoding", "chunked"}}, "HTTP/1.0")) == BodyFraming::close);
    CHECK(kind(response(200, {})) == BodyFraming::close);
    auto d = response_framing(response(200, {{"Content-Length", "42"}}), "GET");
    REQUIRE(d.ok);
    CHECK(d.framing.kind == BodyFraming::length);
    CHECK(d.framing.content_length == 42);
}

TEST_CASE("a response with a bad Content-Length is an error") {
    CHECK_FALSE(response_framing(response(200, {{"Content-Length", "1"}, {"Content-Length", "2"}}), "GET").ok);
    CHECK_FALSE(response_framing(response(200, {{"Content-Length", "abc"}}), "GET").ok);
}
