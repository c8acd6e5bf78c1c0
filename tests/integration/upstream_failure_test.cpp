// When the upstream fails, the client gets a 502 made by rtproxy (or a visibly cut
// response once the head was relayed) and the record says which side failed, doing what,
// in which phase (ROUND_TRIP.md "error").
#include <algorithm>

#include "test_support.hpp"

using namespace rtproxy::integration;

namespace {

void check_proxy_502(const HttpResponse& response, const json& record) {
    CHECK(response.status == 502);
    CHECK(at(record, "/response/source") == "proxy");
    CHECK(at(record, "/response/status") == 502);
    CHECK(at(record, "/outcome") == "upstream_error");
}

}  // namespace

TEST_CASE("an upstream that refuses connections gives the client a 502 and the record a connect error") {
    ProxyProcess proxy(refusing_port());
    auto result = curl({"-o", "/dev/null", "-w", "%{http_code}", url(proxy.port(), "/")});
    INFO(result.describe());
    CHECK(result.exit_code == 0);
    CHECK(result.out == "502");

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/response/source") == "proxy");
    CHECK(at(record, "/response/status") == 502);
    CHECK(at(record, "/outcome") == "upstream_error");
    auto error = at(record, "/attempts/0/error");
    REQUIRE(error.is_object());
    CHECK(error.at("op") == "connect");
    CHECK(error.at("peer") == "upstream");
    CHECK(error.at("kind") == "refused");
    CHECK_FALSE(error.at("message").get<std::string>().empty());
}

TEST_CASE("an upstream that resets before responding gives a 502 and a response_head read error of kind reset") {
    ScriptedUpstream upstream([](UpstreamConnection& c) {
        c.read_head();
        c.reset();
    });
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    client.send(get("/"));
    auto response = client.read_response();
    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    check_proxy_502(response, record);
    auto error = at(record, "/attempts/0/error");
    REQUIRE(error.is_object());
    CHECK(error.at("op") == "read");
    CHECK(error.at("peer") == "upstream");
    CHECK(error.at("phase") == "response_head");
    CHECK(error.at("kind") == "reset");
}

TEST_CASE("an upstream that closes cleanly before responding gives a 502 and a response_head read error of kind eof") {
    ScriptedUpstream upstream([](UpstreamConnection& c) {
        c.read_head();
        c.close();
    });
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    client.send(get("/"));
    auto response = client.read_response();
    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    check_proxy_502(response, record);
    auto error = at(record, "/attempts/0/error");
    REQUIRE(error.is_object());
    CHECK(error.at("op") == "read");
    CHECK(error.at("peer") == "upstream");
    CHECK(error.at("phase") == "response_head");
    CHECK(error.at("kind") == "eof");
}

TEST_CASE("an upstream reset mid-body cuts the client's response short and is recorded as a response_body read error") {
    Gate client_has_first_bytes;
    ScriptedUpstream upstream([&](UpstreamConnection& c) {
        c.read_head();
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(5000, 'x'));
        client_has_first_bytes.wait(Millis{10000});
        c.reset();
    });
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    client.send(get("/big"));
    auto head = parse_head(client.read_until("\r\n\r\n"));
    CHECK(head.start_line == "HTTP/1.1 200 OK");
    auto first = client.read_exact(5000);
    client_has_first_bytes.open();
    auto rest = client.read_all_until_close();
    // The client can tell: the connection ended with fewer bytes than Content-Length.
    CHECK(first.size() + rest.bytes.size() < 100000);
    CHECK(rest.bytes.empty());

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "upstream_error");
    CHECK(at(record, "/response/status") == 200);
    CHECK(at(record, "/response/source") == "upstream");
    auto error = find_error(record, "read", "upstream", "response_body");
    REQUIRE(error);
    CHECK(error->at("bytes").get<long>() >= 5000);
    CHECK(error->at("kind") == "reset");
}

TEST_CASE("curl reports a partial file when the upstream resets mid-body") {
    ScriptedUpstream upstream([](UpstreamConnection& c) {
        c.read_head();
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(5000, 'x'));
        std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a slow upstream, not synchronisation
        c.reset();
    });
    ProxyProcess proxy(upstream.port());
    auto result = curl({"-o", "/dev/null", url(proxy.port(), "/big")});
    INFO(result.describe());
    CHECK(result.exit_code == 18);  // CURLE_PARTIAL_FILE

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "upstream_error");
    auto error = find_error(record, "read", "upstream", "response_body");
    REQUIRE(error);
    CHECK(error->at("bytes").get<long>() >= 5000);
}

TEST_CASE("a chunked upstream body that ends without its last chunk never gives the client a terminating chunk") {
    Gate client_has_first_bytes;
    ScriptedUpstream upstream([&](UpstreamConnection& c) {
        c.read_head();
        c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n" + std::string(5000, 'z') + "\r\n");
        client_has_first_bytes.wait(Millis{10000});
        c.close();  // a clean FIN, but the chunked framing is incomplete
    });
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    client.send(get("/chunks"));
    auto head = parse_head(client.read_until("\r\n\r\n"));
    REQUIRE(head.start_line == "HTTP/1.1 200 OK");
    // However rtproxy frames the copy, 5000 body bytes come before the cut.
    std::string seen;
    if (auto te = head.field("Transfer-Encoding"); te && icontains(*te, "chunked")) {
        // 'z' is no hex digit, so chunk-size lines cannot be mistaken for body bytes.
        while (std::count(seen.begin(), seen.end(), 'z') < 5000 && seen.size() < 100000) seen += client.read_exact(1);
    } else {
        seen = client.read_exact(5000);
    }
    client_has_first_bytes.open();
    auto rest = client.read_all_until_close();
    seen += rest.bytes;
    INFO("client saw after the head: " << seen.size() << " bytes");
    CHECK(seen.find("\r\n0\r\n") == std::string::npos);
    CHECK(seen.rfind("0\r\n\r\n") == std::string::npos);

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "upstream_error");
    CHECK(at(record, "/response/body_framing") == "chunked");
    auto error = find_error(record, "read", "upstream", "response_body");
    REQUIRE(error);
    CHECK(error->at("bytes").get<long>() >= 5000);
}

TEST_CASE("a malformed upstream status line gives the client a 502 made by rtproxy") {
    ScriptedUpstream upstream([](UpstreamConnection& c) {
        c.read_head();
        c.write("HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n");
        c.wait_for_close();
    });
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    client.send(get("/"));
    auto response = client.read_response();
    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    check_proxy_502(response, record);
    auto error = find_error(record, "read", "upstream", "response_head", "malformed");
    CHECK(error);
}
