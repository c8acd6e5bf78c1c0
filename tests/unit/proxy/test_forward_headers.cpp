// The upstream copy's header fields (ROUND_TRIP_NOTES §2, §5): what is removed, what is added,
// and that `changes` names every difference between the request and its copy.
#include <catch2/catch.hpp>

#include <cctype>
#include <string>
#include <vector>

#include "proxy/forward_headers.hpp"

using rtproxy::http::BodyFraming;
using rtproxy::http::Field;
using rtproxy::http::Fields;
using rtproxy::http::Framing;
using rtproxy::proxy::ForwardContext;
using rtproxy::proxy::forward_request_headers;
using rtproxy::proxy::is_hop_by_hop;
using rtproxy::proxy::strip_response_hop_by_hop;
using rtproxy::record::HeaderChange;

namespace {

ForwardContext untrusted(std::string peer = "192.0.2.7") {
    ForwardContext context;
    context.peer_ip = std::move(peer);
    return context;
}

ForwardContext trusted(std::string peer = "10.0.0.2") {
    auto context = untrusted(std::move(peer));
    context.peer_trusted = true;
    return context;
}

ForwardContext with_framing(ForwardContext context, BodyFraming kind, std::uint64_t length = 0) {
    context.framing = Framing{kind, length};
    return context;
}

// "Name: value" per line, so a failing comparison shows the whole head.
std::vector<std::string> lines(const Fields& fields) {
    std::vector<std::string> out;
    for (const auto& f : fields) out.push_back(f.name + ": " + f.value);
    return out;
}

// "op Name: value (reason)" per change.
std::vector<std::string> lines(const std::vector<HeaderChange>& changes) {
    std::vector<std::string> out;
    for (const auto& c : changes) {
        const char* op = c.op == HeaderChange::Op::add ? "add" : c.op == HeaderChange::Op::remove ? "remove" : "replace";
        out.push_back(std::string(op) + " " + c.name + ": " + c.value + " (" + std::string(c.reason) + ")");
    }
    return out;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("a plain GET gains exactly X-Forwarded-For, -Proto and -Host, at the end, in that order") {
    const Fields received{{"Host", "example.test"}, {"Accept", "*/*"}};
    const auto out = forward_request_headers(received, untrusted());

    CHECK(lines(out.headers) == Lines{"Host: example.test", "Accept: */*", "X-Forwarded-For: 192.0.2.7",
                                      "X-Forwarded-Proto: http", "X-Forwarded-Host: example.test"});
    CHECK(lines(out.changes) == Lines{"add X-Forwarded-For: 192.0.2.7 (x-forwarded-for)",
                                      "add X-Forwarded-Proto: http (x-forwarded-proto)",
                                      "add X-Forwarded-Host: example.test (x-forwarded-host)"});
    CHECK(out.x_forwarded_proto == "http");
    CHECK_FALSE(out.upgrade);
    CHECK_FALSE(out.expect_continue);
}

TEST_CASE("untouched fields keep their wire case, order and duplicates; nothing else is added") {
    const Fields received{{"host", "a.test"},          {"user-AGENT", "curl/8"}, {"X-Trace", "1"},
                          {"cookie", "a=1"},           {"X-Trace", "2"},         {"accept-ENCODING", "gzip"},
                          {"X-Forwarded-Proto", "http"}};
    const auto out = forward_request_headers(received, untrusted());

    // X-Forwarded-Proto already says "http": no change, so it keeps its place too.
    CHECK(lines(out.headers) == Lines{"host: a.test", "user-AGENT: curl/8", "X-Trace: 1", "cookie: a=1", "X-Trace: 2",
                                      "accept-ENCODING: gzip", "X-Forwarded-Proto: http",
                                      "X-Forwarded-For: 192.0.2.7", "X-Forwarded-Host: a.test"});
    CHECK(lines(out.changes) == Lines{"add X-Forwarded-For: 192.0.2.7 (x-forwarded-for)",
                                      "add X-Forwarded-Host: a.test (x-forwarded-host)"});
    CHECK(out.headers.count("Via") == 0);
}

TEST_CASE("Connection: keep-alive, X-Custom removes X-Custom, Keep-Alive and Connection itself") {
    const Fields received{{"Host", "a.test"},
                          {"Connection", "keep-alive, X-Custom"},
                          {"x-custom", "secret"},
                          {"Keep-Alive", "timeout=5"},
                          {"X-Other", "stays"}};
    const auto out = forward_request_headers(received, untrusted());

    CHECK(lines(out.headers) == Lines{"Host: a.test", "X-Other: stays", "X-Forwarded-For: 192.0.2.7",
                                      "X-Forwarded-Proto: http", "X-Forwarded-Host: a.test"});
    // Step 1 (named by Connection) before step 2 (hop-by-hop by name), each in wire order.
    CHECK(lines(out.changes) == Lines{"remove x-custom: secret (connection-token)",
                                      "remove Keep-Alive: timeout=5 (connection-token)",
                                      "remove Connection: keep-alive, X-Custom (hop-by-hop)",
                                      "add X-Forwarded-For: 192.0.2.7 (x-forwarded-for)",
                                      "add X-Forwarded-Proto: http (x-forwarded-proto)",
                                      "add X-Forwarded-Host: a.test (x-forwarded-host)"});
}

TEST_CASE("tokens of every Connection line count, and every line a token names goes") {
    const Fields received{{"Host", "a.test"}, {"Connection", "X-A"}, {"X-A", "1"},
                          {"connection", "x-b"}, {"X-B", "2"},       {"X-A", "3"}};
    const auto out = forward_request_headers(received, untrusted());

    CHECK(out.headers.count("X-A") == 0);
    CHECK(out.headers.count("X-B") == 0);
    CHECK(out.headers.count("Connection") == 0);
    CHECK(lines(out.changes) == Lines{"remove X-A: 1 (connection-token)", "remove X-B: 2 (connection-token)",
                                      "remove X-A: 3 (connection-token)", "remove Connection: X-A (hop-by-hop)",
                                      "remove connection: x-b (hop-by-hop)",
                                      "add X-Forwarded-For: 192.0.2.7 (x-forwarded-for)",
                                      "add X-Forwarded-Proto: http (x-forwarded-proto)",
                                      "add X-Forwarded-Host: a.test (x-forwarded-host)"});
}

TEST_CASE("every hop-by-hop field is removed, one change per line with the removed value") {
    const Fields received{{"Host", "a.test"},
                          {"Proxy-Connection", "keep-alive"},
                          {"Keep-Alive", "timeout=5"},
                          {"Proxy-Authenticate", "Basic"},
                          {"Proxy-Authorization", "Basic Zm9vOmJhcg=="},
                          {"Proxy-Authorization", "Basic second"},
                          {"TE", "gzip"},
                          {"Trailer", "X-Checksum"},
                          {"Transfer-Encoding", "chunked"},
                          {"Upgrade", "h2c"},
                          {"Connection", "close"}};
    const auto out = forward_request_headers(received, with_framing(untrusted(), BodyFraming::none));

    CHECK(lines(out.headers) == Lines{"Host: a.test", "X-Forwarded-For: 192.0.2.7", "X-Forwarded-Proto: http",
                                      "X-Forwarded-Host: a.test"});
    CHECK(lines(out.changes) == Lines{"remove Proxy-Connection: keep-alive (hop-by-hop)",
                                      "remove Keep-Alive: timeout=5 (hop-by-hop)",
                                      "remove Proxy-Authenticate: Basic (hop-by-hop)",
                                      "remove Proxy-Authorization: Basic Zm9vOmJhcg== (hop-by-hop)",
                                      "remove Proxy-Authorization: Basic second (hop-by-hop)",
                                      "remove TE: gzip (hop-by-hop)",
                                      "remove Trailer: X-Checksum (hop-by-hop)",
                                      "remove Transfer-Encoding: chunked (hop-by-hop)",
                                      "remove Upgrade: h2c (hop-by-hop)",
                                      "remove Connection: close (hop-by-hop)",
                                      "add X-Forwarded-For: 192.0.2.7 (x-forwarded-for)",
                                      "add X-Forwarded-Proto: http (x-forwarded-proto)",
                                      "add X-Forwarded-Host: a.test (x-forwarded-host)"});
}

TEST_CASE("a Connection token never removes Host") {
    const Fields received{{"Host", "a.test"}, {"Connection", "Host"}};
    const auto out = forward_request_headers(received, untrusted());

    CHECK(lines(out.headers) == Lines{"Host: a.test", "X-Forwarded-For: 192.0.2.7", "X-Forwarded-Proto: http",
                                      "X-Forwarded-Host: a.test"});
}

TEST_CASE("TE: trailers, deflate is sent as TE: trailers, in place") {
    const Fields received{{"Host", "a.test"}, {"te", "trailers, deflate"}, {"Accept", "*/*"}};
    const auto out = forward_request_headers(received, untrusted());

    CHECK(lines(out.headers) == Lines{"Host: a.test", "te: trailers", "Accept: */*", "X-Forwarded-For: 192.0.2.7",
                                      "X-Forwarded-Proto: http", "X-Forwarded-Host: a.test"});
    CHECK(lines(out.changes).front() == "replace te: trailers (te)");
    CHECK(out.changes.size() == 4);
}

TEST_CASE("TE: trailers named by Connection: TE reaches the upstream unchanged") {
    // RFC 9110 §10.1.4: a sender of TE lists it in Connection, so this is what real clients send.
    const Fields received{{"Host", "a.test"}, {"Connection", "TE"}, {"TE", "Trailers"}};
    const auto out = forward_request_headers(received, untrusted());

    CHECK(lines(out.headers) == Lines{"Host: a.test", "TE: Trailers", "X-Forwarded-For: 192.0.2.7",
                                      "X-Forwarded-Proto: http", "X-Forwarded-Host: a.test"});
    CHECK(lines(out.changes).front() == "remove Connection: TE (hop-by-hop)");
    CHECK(out.changes.size() == 4);
}

TEST_CASE("TE lines after the first are removed when trailers are kept") {
    const Fields received{{"Host", "a.test"}, {"TE", "deflate"}, {"TE", "trailers"}};
    const auto out = forward_request_headers(received, untrusted());

    CHECK(out.headers.count("TE") == 1);
    CHECK(out.headers.find("TE")->value == "trailers");
    CHECK(lines(out.changes) == Lines{"replace TE: trailers (te)", "remove TE: trailers (te)",
                                      "add X-Forwarded-For: 192.0.2.7 (x-forwarded-for)",
                                      "add X-Forwarded-Proto: http (x-forwarded-proto)",
                                      "add X-Forwarded-Host: a.test (x-forwarded-host)"});
}

TEST_CASE("a websocket upgrade keeps Connection: Upgrade and Upgrade: websocket untouched") {
    const Fields received{{"Host", "a.test"},
                          {"Connection", "Upgrade"},
                          {"Upgrade", "websocket"},
                          {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                          {"Sec-WebSocket-Version", "13"}};
    const auto out = forward_request_headers(received, untrusted());

    CHECK(lines(out.headers) == Lines{"Host: a.test", "Connection: Upgrade", "Upgrade: websocket",
                                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
                                      "X-Forwarded-For: 192.0.2.7", "X-Forwarded-Proto: http",
                                      "X-Forwarded-Host: a.test"});
    CHECK(out.changes.size() == 3);  // the three X-Forwarded-* additions only
    REQUIRE(out.upgrade);
    CHECK(*out.upgrade == "websocket");
}

TEST_CASE("an upgrade asked for with other Connection tokens sends Connection: Upgrade alone") {
    // Firefox sends "Connection: keep-alive, Upgrade".
    const Fields received{{"Host", "a.test"}, {"connection", "keep-alive, Upgrade"}, {"upgrade", "websocket"}};
    const auto out = forward_request_headers(received, untrusted());

    CHECK(lines(out.headers) == Lines{"Host: a.test", "connection: Upgrade", "upgrade: websocket",
                                      "X-Forwarded-For: 192.0.2.7", "X-Forwarded-Proto: http",
                                      "X-Forwarded-Host: a.test"});
    CHECK(lines(out.changes).front() == "replace connection: Upgrade (hop-by-hop)");
    CHECK(out.changes.size() == 4);
    CHECK(out.upgrade == std::optional<std::string>("websocket"));
}

TEST_CASE("Upgrade without the upgrade Connection token is not an upgrade and is removed") {
    const Fields received{{"Host", "a.test"}, {"Upgrade", "websocket"}};
    const auto out = forward_request_headers(received, untrusted());

    CHECK(out.headers.count("Upgrade") == 0);
    CHECK_FALSE(out.upgrade);
    CHECK(lines(out.changes).front() == "remove Upgrade: websocket (hop-by-hop)");
}

TEST_CASE("the upgrade Connection token without an Upgrade field is not an upgrade") {
    const Fields received{{"Host", "a.test"}, {"Connection", "upgrade"}};
    const auto out = forward_request_headers(received, untrusted());

    CHECK(out.headers.count("Connection") == 0);
    CHECK_FALSE(out.upgrade);
}

TEST_CASE("a client's X-Forwarded-For from an untrusted peer is replaced by the peer's address (spoofing)") {
    const Fields received{{"Host", "a.test"}, {"X-Forwarded-For", "1.2.3.4"}, {"Accept", "*/*"}};
    const auto out = forward_request_headers(received, untrusted());

    CHECK(lines(out.headers) == Lines{"Host: a.test", "X-Forwarded-For: 192.0.2.7", "Accept: */*",
                                      "X-Forwarded-Proto: http", "X-Forwarded-Host: a.test"});
    CHECK(lines(out.changes).front() == "replace X-Forwarded-For: 192.0.2.7 (x-forwarded-for)");
}

TEST_CASE("several spoofed X-Forwarded-For lines become one line, in the first one's place") {
    const Fields received{{"X-Forwarded-For", "1.2.3.4"}, {"Host", "a.test"}, {"x-forwarded-for", "5.6.7.8"}};
    const auto out = forward_request_headers(received, untrusted());

    CHECK(lines(out.headers) == Lines{"X-Forwarded-For: 192.0.2.7", "Host: a.test", "X-Forwarded-Proto: http",
                                      "X-Forwarded-Host: a.test"});
    CHECK(lines(out.changes) == Lines{"replace X-Forwarded-For: 192.0.2.7 (x-forwarded-for)",
                                      "remove x-forwarded-for: 5.6.7.8 (x-forwarded-for)",
                                      "add X-Forwarded-Proto: http (x-forwarded-proto)",
                                      "add X-Forwarded-Host: a.test (x-forwarded-host)"});
}

TEST_CASE("a trusted proxy's X-Forwarded-For chain is kept and the peer appended") {
    const Fields received{{"Host", "a.test"}, {"X-Forwarded-For", "203.0.113.9"}, {"X-Forwarded-For", "10.0.0.1"}};
    const auto out = forward_request_headers(received, trusted());

    CHECK(lines(out.headers) == Lines{"Host: a.test", "X-Forwarded-For: 203.0.113.9, 10.0.0.1, 10.0.0.2",
                                      "X-Forwarded-Proto: http", "X-Forwarded-Host: a.test"});
    CHECK(lines(out.changes) == Lines{"replace X-Forwarded-For: 203.0.113.9, 10.0.0.1, 10.0.0.2 (x-forwarded-for)",
                                      "remove X-Forwarded-For: 10.0.0.1 (x-forwarded-for)",
                                      "add X-Forwarded-Proto: http (x-forwarded-proto)",
                                      "add X-Forwarded-Host: a.test (x-forwarded-host)"});
}

TEST_CASE("a trusted peer without X-Forwarded-For gets one naming it") {
    const auto out = forward_request_headers(Fields{{"Host", "a.test"}}, trusted());
    CHECK(lines(out.changes).front() == "add X-Forwarded-For: 10.0.0.2 (x-forwarded-for)");
}

TEST_CASE("an IPv6 peer is written without brackets") {
    const auto out = forward_request_headers(Fields{{"Host", "[::1]:8080"}}, untrusted("::1"));
    CHECK(out.headers.find("X-Forwarded-For")->value == "::1");
    CHECK(out.headers.find("X-Forwarded-Host")->value == "[::1]:8080");
}

TEST_CASE("X-Forwarded-Proto says https for a TLS client and replaces an untrusted client's claim") {
    auto context = untrusted();
    context.client_tls = true;
    const Fields received{{"Host", "a.test"}, {"X-Forwarded-Proto", "http"}};
    const auto out = forward_request_headers(received, context);

    CHECK(out.x_forwarded_proto == "https");
    CHECK(lines(out.headers) == Lines{"Host: a.test", "X-Forwarded-Proto: https", "X-Forwarded-For: 192.0.2.7",
                                      "X-Forwarded-Host: a.test"});
    CHECK(lines(out.changes) == Lines{"add X-Forwarded-For: 192.0.2.7 (x-forwarded-for)",
                                      "replace X-Forwarded-Proto: https (x-forwarded-proto)",
                                      "add X-Forwarded-Host: a.test (x-forwarded-host)"});
}

TEST_CASE("a trusted proxy's X-Forwarded-Proto and -Host are kept") {
    const Fields received{{"Host", "backend.internal"},
                          {"X-Forwarded-Proto", "https"},
                          {"X-Forwarded-Host", "www.example.test"}};
    const auto out = forward_request_headers(received, trusted());

    CHECK(out.x_forwarded_proto == "https");  // what the upstream sees, not what rtproxy saw
    CHECK(lines(out.headers) == Lines{"Host: backend.internal", "X-Forwarded-Proto: https",
                                      "X-Forwarded-Host: www.example.test", "X-Forwarded-For: 10.0.0.2"});
    CHECK(lines(out.changes) == Lines{"add X-Forwarded-For: 10.0.0.2 (x-forwarded-for)"});
}

TEST_CASE("an untrusted client's X-Forwarded-Host is replaced by its Host") {
    const Fields received{{"Host", "a.test"}, {"X-Forwarded-Host", "evil.test"}};
    const auto out = forward_request_headers(received, untrusted());

    CHECK(out.headers.find("X-Forwarded-Host")->value == "a.test");
    CHECK(lines(out.changes).back() == "replace X-Forwarded-Host: a.test (x-forwarded-host)");
}

TEST_CASE("without Host no X-Forwarded-Host is sent, and a client's is not passed on") {
    // HTTP/1.0 requests may lack Host (RFC 9112 §3.2 requires it of 1.1 only).
    const Fields received{{"X-Forwarded-Host", "evil.test"}};
    const auto out = forward_request_headers(received, untrusted());

    CHECK(out.headers.count("X-Forwarded-Host") == 0);
    CHECK(lines(out.changes).back() == "remove X-Forwarded-Host: evil.test (x-forwarded-host)");
}

TEST_CASE("Host is passed through unchanged") {
    const Fields received{{"HOST", "Mixed.Case.test:8443"}};
    const auto out = forward_request_headers(received, untrusted());
    CHECK(out.headers[0] == Field{"HOST", "Mixed.Case.test:8443"});
}

TEST_CASE("a Content-Length that already says what rtproxy writes is not a change") {
    const Fields received{{"Host", "a.test"}, {"Content-Length", "5"}};
    const auto out = forward_request_headers(received, with_framing(untrusted(), BodyFraming::length, 5));

    CHECK(lines(out.headers) == Lines{"Host: a.test", "Content-Length: 5", "X-Forwarded-For: 192.0.2.7",
                                      "X-Forwarded-Proto: http", "X-Forwarded-Host: a.test"});
    CHECK(out.changes.size() == 3);
}

TEST_CASE("a non-canonical Content-Length is rewritten in place, duplicates removed") {
    const Fields received{{"content-length", "005"}, {"Host", "a.test"}, {"Content-Length", "5"}};
    const auto out = forward_request_headers(received, with_framing(untrusted(), BodyFraming::length, 5));

    CHECK(lines(out.headers) == Lines{"content-length: 5", "Host: a.test", "X-Forwarded-For: 192.0.2.7",
                                      "X-Forwarded-Proto: http", "X-Forwarded-Host: a.test"});
    CHECK(lines(out.changes) == Lines{"add X-Forwarded-For: 192.0.2.7 (x-forwarded-for)",
                                      "add X-Forwarded-Proto: http (x-forwarded-proto)",
                                      "add X-Forwarded-Host: a.test (x-forwarded-host)",
                                      "replace content-length: 5 (framing)",
                                      "remove Content-Length: 5 (framing)"});
}

TEST_CASE("a chunked client request sent upstream chunked: the client's coding removed, rtproxy's added last") {
    const Fields received{{"Host", "a.test"}, {"Transfer-Encoding", "gzip, chunked"}, {"Content-Type", "text/plain"}};
    const auto out = forward_request_headers(received, with_framing(untrusted(), BodyFraming::chunked));

    CHECK(lines(out.headers) == Lines{"Host: a.test", "Content-Type: text/plain", "X-Forwarded-For: 192.0.2.7",
                                      "X-Forwarded-Proto: http", "X-Forwarded-Host: a.test",
                                      "Transfer-Encoding: chunked"});
    CHECK(lines(out.changes) == Lines{"remove Transfer-Encoding: gzip, chunked (hop-by-hop)",
                                      "add X-Forwarded-For: 192.0.2.7 (x-forwarded-for)",
                                      "add X-Forwarded-Proto: http (x-forwarded-proto)",
                                      "add X-Forwarded-Host: a.test (x-forwarded-host)",
                                      "add Transfer-Encoding: chunked (framing)"});
}

TEST_CASE("a chunked client request re-framed with a Content-Length") {
    const Fields received{{"Host", "a.test"}, {"Transfer-Encoding", "chunked"}};
    const auto out = forward_request_headers(received, with_framing(untrusted(), BodyFraming::length, 1234));

    CHECK(lines(out.headers) == Lines{"Host: a.test", "X-Forwarded-For: 192.0.2.7", "X-Forwarded-Proto: http",
                                      "X-Forwarded-Host: a.test", "Content-Length: 1234"});
    CHECK(lines(out.changes).front() == "remove Transfer-Encoding: chunked (hop-by-hop)");
    CHECK(lines(out.changes).back() == "add Content-Length: 1234 (framing)");
}

TEST_CASE("chunked framing drops any Content-Length (RFC 9112 §6.3)") {
    const Fields received{{"Host", "a.test"}, {"Content-Length", "10"}};
    const auto out = forward_request_headers(received, with_framing(untrusted(), BodyFraming::chunked));

    CHECK(out.headers.count("Content-Length") == 0);
    CHECK(lines(out.changes) == Lines{"add X-Forwarded-For: 192.0.2.7 (x-forwarded-for)",
                                      "add X-Forwarded-Proto: http (x-forwarded-proto)",
                                      "add X-Forwarded-Host: a.test (x-forwarded-host)",
                                      "remove Content-Length: 10 (framing)",
                                      "add Transfer-Encoding: chunked (framing)"});
}

TEST_CASE("no body: a client's Content-Length: 0 is kept, any other Content-Length removed") {
    SECTION("Content-Length: 0 stays") {
        const Fields received{{"Host", "a.test"}, {"Content-Length", "0"}};
        const auto out = forward_request_headers(received, untrusted());
        CHECK(out.headers.find("Content-Length")->value == "0");
        CHECK(out.changes.size() == 3);
    }
    SECTION("a Content-Length that disagrees with no body goes") {
        const Fields received{{"Host", "a.test"}, {"Content-Length", "7"}};
        const auto out = forward_request_headers(received, untrusted());
        CHECK(out.headers.count("Content-Length") == 0);
        CHECK(lines(out.changes).back() == "remove Content-Length: 7 (framing)");
    }
    SECTION("nothing is added when the client sent none") {
        const auto out = forward_request_headers(Fields{{"Host", "a.test"}}, untrusted());
        CHECK(out.headers.count("Content-Length") == 0);
        CHECK(out.headers.count("Transfer-Encoding") == 0);
    }
}

TEST_CASE("Expect: 100-continue is forwarded as is and reported") {
    const Fields received{{"Host", "a.test"}, {"Expect", "100-Continue"}, {"Content-Length", "3"}};
    const auto out = forward_request_headers(received, with_framing(untrusted(), BodyFraming::length, 3));

    CHECK(out.expect_continue);
    CHECK(out.headers.find("Expect")->value == "100-Continue");
    CHECK(out.changes.size() == 3);
}

TEST_CASE("every difference between request and copy is in changes, in the order made") {
    // A request exercising every step at once, from a trusted proxy over TLS.
    auto context = trusted();
    context.client_tls = true;
    context.framing = Framing{BodyFraming::chunked, 0};
    const Fields received{{"Host", "a.test"},
                          {"Connection", "keep-alive, TE, X-Hop"},
                          {"X-Hop", "1"},
                          {"TE", "trailers, gzip"},
                          {"Transfer-Encoding", "chunked"},
                          {"X-Forwarded-For", "198.51.100.1"},
                          {"Proxy-Authorization", "Basic x"},
                          {"X-Forwarded-Host", "public.test"},
                          {"Trailer", "X-Sum"}};
    const auto out = forward_request_headers(received, context);

    CHECK(lines(out.headers) == Lines{"Host: a.test", "TE: trailers", "X-Forwarded-For: 198.51.100.1, 10.0.0.2",
                                      "X-Forwarded-Host: public.test", "X-Forwarded-Proto: https",
                                      "Transfer-Encoding: chunked"});
    CHECK(lines(out.changes) == Lines{"remove X-Hop: 1 (connection-token)",
                                      "remove Connection: keep-alive, TE, X-Hop (hop-by-hop)",
                                      "remove Transfer-Encoding: chunked (hop-by-hop)",
                                      "remove Proxy-Authorization: Basic x (hop-by-hop)",
                                      "remove Trailer: X-Sum (hop-by-hop)",
                                      "replace TE: trailers (te)",
                                      "replace X-Forwarded-For: 198.51.100.1, 10.0.0.2 (x-forwarded-for)",
                                      "add X-Forwarded-Proto: https (x-forwarded-proto)",
                                      "add Transfer-Encoding: chunked (framing)"});
    CHECK(out.x_forwarded_proto == "https");
}

TEST_CASE("responses lose Connection-named and hop-by-hop fields, the rest keeps order and case") {
    const Fields received{{"content-type", "text/html"}, {"Connection", "keep-alive, X-Debug"},
                          {"X-Debug", "1"},              {"Keep-Alive", "timeout=5"},
                          {"Transfer-Encoding", "chunked"}, {"Set-Cookie", "a=1"},
                          {"Set-Cookie", "b=2"},         {"Upgrade", "h2c"}};
    CHECK(lines(strip_response_hop_by_hop(received, false)) ==
          Lines{"content-type: text/html", "Set-Cookie: a=1", "Set-Cookie: b=2"});
}

TEST_CASE("the per-field response filter keeps exactly what strip_response_hop_by_hop keeps") {
    const std::vector<Fields> responses{
        {{"content-type", "text/html"}, {"Connection", "keep-alive, X-Debug"}, {"X-Debug", "1"},
         {"Keep-Alive", "timeout=5"}, {"Transfer-Encoding", "chunked"}, {"Set-Cookie", "a=1"}, {"Upgrade", "h2c"}},
        {{"Server", "nginx"}, {"Content-Length", "3"}, {"Connection", "keep-alive"}},
        {{"Connection", "host, x-a"}, {"connection", "X-B"}, {"Host", "h"}, {"x-a", "1"}, {"X-B", "2"}, {"X-C", "3"}},
        {{"TE", "trailers"}, {"Trailer", "X-Sum"}, {"Proxy-Authenticate", "Basic"}, {"Date", "today"}},
        {},
    };
    // More Connection tokens than the filter keeps at hand: the rest are still honoured.
    Fields many{{"Connection", "t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16, t17"}};
    for (int i = 0; i < 19; ++i) many.add("t" + std::to_string(i), "v");
    auto all = responses;
    all.push_back(many);
    for (const auto& response : all) {
        const rtproxy::proxy::ResponseFieldFilter filter(response);
        Lines filtered;
        for (const auto& field : response)
            if (filter.forwards(field)) filtered.push_back(field.name + ": " + field.value);
        CHECK(filtered == lines(strip_response_hop_by_hop(response, false)));
    }
    CHECK(lines(strip_response_hop_by_hop(many, false)) == Lines{"t18: v"});
}

TEST_CASE("a 101 answer keeps Connection: Upgrade and Upgrade") {
    SECTION("as the upstream sent them") {
        const Fields received{{"Upgrade", "websocket"}, {"Connection", "upgrade"}, {"Sec-WebSocket-Accept", "x"}};
        CHECK(lines(strip_response_hop_by_hop(received, true)) ==
              Lines{"Upgrade: websocket", "Connection: upgrade", "Sec-WebSocket-Accept: x"});
    }
    SECTION("reduced to the upgrade token") {
        const Fields received{{"Connection", "Upgrade, Keep-Alive"}, {"Keep-Alive", "timeout=5"},
                              {"Upgrade", "websocket"}};
        CHECK(lines(strip_response_hop_by_hop(received, true)) ==
              Lines{"Connection: Upgrade", "Upgrade: websocket"});
    }
    SECTION("but not when it is not a 101") {
        const Fields received{{"Connection", "Upgrade"}, {"Upgrade", "websocket"}};
        CHECK(strip_response_hop_by_hop(received, false).empty());
    }
}

TEST_CASE("hop-by-hop names are matched without regard to case") {
    for (std::string name : {"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
                             "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade"}) {
        INFO(name);
        CHECK(is_hop_by_hop(name));
        std::string lower;
        for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        CHECK(is_hop_by_hop(lower));
        CHECK_FALSE(is_hop_by_hop(name + "s"));
        CHECK_FALSE(is_hop_by_hop(name.substr(1)));
    }
    CHECK(is_hop_by_hop("transfer-encoding"));
    CHECK(is_hop_by_hop("PROXY-CONNECTION"));
    CHECK(is_hop_by_hop("te"));
    CHECK_FALSE(is_hop_by_hop("Trailers"));  // RFC 2616 erratum 4522: the field is "Trailer"
    CHECK_FALSE(is_hop_by_hop("Content-Length"));
    CHECK_FALSE(is_hop_by_hop("X-Forwarded-For"));
}
