// Requests that could be read two ways (RFC 9112 §6.3, §5.2, §3.2, §2.2) are rejected by
// rtproxy with 400 before a single byte goes upstream: a proxy that forwards them is the
// classic request-smuggling hole.
#include "test_support.hpp"

using namespace rtproxy::integration;

namespace {

struct Rejected {
    const char* name;
    std::string bytes;
};

void check_rejected_before_forwarding(const ScriptedUpstream& upstream, const HttpResponse& response,
                                      const json& record, int status) {
    CHECK(response.status == status);
    CHECK(at(record, "/response/source") == "proxy");
    CHECK(at(record, "/response/status") == status);
    CHECK(at(record, "/outcome") == "client_error");
    CHECK(at(record, "/upstream_request").is_null());
    CHECK(upstream.connections_accepted() == 0);
    CHECK(upstream.total_bytes_received() == 0);
}

}  // namespace

TEST_CASE("ambiguous or malformed request heads get a 400 from rtproxy and never reach the upstream") {
    const std::vector<Rejected> cases = {
        {"Content-Length and Transfer-Encoding together",
         "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
        {"two differing Content-Length fields",
         "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"},
        {"Transfer-Encoding chunked, identity",
         "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"},
        {"obs-fold continuation line", "GET / HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\n\r\n"},
        {"space before the colon", "GET / HTTP/1.1\r\nHost: a\r\nX-Spaced : yes\r\n\r\n"},
        {"bare LF inside the head", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\nX-B: 2\r\n\r\n"},
        {"Content-Length with a sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello"},
        {"HTTP/1.1 without Host", "GET / HTTP/1.1\r\nX-A: 1\r\n\r\n"},
        {"two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            ScriptedUpstream upstream(respond_with(http_response(200, "must not happen")));
            ProxyProcess proxy(upstream.port());
            RawClient client(proxy.port());
            client.send(c.bytes);
            auto response = client.read_response();
            auto record = proxy.wait_for_round_trips(1).at(0);
            INFO(show(record));
            check_rejected_before_forwarding(upstream, response, record, 400);
            auto error = find_error(record, "", "client", "request_head", "malformed");
            REQUIRE(error);
            CHECK_FALSE(error->at("message").get<std::string>().empty());
        }
    }
}

TEST_CASE("a request head over the limit gets a 431 and never reaches the upstream") {
    ScriptedUpstream upstream(respond_with(http_response(200, "must not happen")));
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    client.send("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(70 * 1024, 'a') + "\r\n\r\n");
    auto response = client.read_response();
    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    check_rejected_before_forwarding(upstream, response, record, 431);
    CHECK(find_error(record, "", "client", "request_head", "too_large"));
}

TEST_CASE("a chunk size written as 0x5 gets a 400 and no body byte reaches the upstream") {
    ScriptedUpstream upstream(respond_with(http_response(200, "must not happen")));
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    client.send("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n");
    auto response = client.read_response();
    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(response.status == 400);
    CHECK(at(record, "/response/source") == "proxy");
    CHECK(at(record, "/outcome") == "client_error");
    // rtproxy streams bodies, so the head may already be upstream; the bad chunk may not.
    auto wire = upstream.received(0);
    INFO("upstream received:\n" << wire);
    CHECK(wire.find("hello") == std::string::npos);
    CHECK(wire.find("0x5") == std::string::npos);
    auto error = find_error(record, "read", "client", "", "malformed");
    REQUIRE(error);
    CHECK(error->at("phase") == "request_body");
}
