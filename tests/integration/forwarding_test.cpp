// The ordinary round trip: a request goes through, the copy upstream is rewritten as
// ROUND_TRIP_NOTES §2 says, and the record tells both versions apart.
#include <httplib.h>

#include "test_support.hpp"

using namespace rtproxy::integration;

namespace {

// The upstream head as received, compared field for field with the record of the copy:
// what rtproxy says it sent is what it sent.
void check_record_matches_wire(const json& record, const std::string& wire) {
    auto head = parse_head(wire);
    json wire_fields = json::array();
    for (const auto& [name, value] : head.fields) wire_fields.push_back({{"name", name}, {"value", value}});
    CHECK(at(record, "/upstream_request/headers") == wire_fields);
    auto start = at(record, "/upstream_request/method").get<std::string>() + " " +
                 at(record, "/upstream_request/target").get<std::string>() + " " +
                 at(record, "/upstream_request/version").get<std::string>();
    CHECK(head.start_line == start);
}

}  // namespace

TEST_CASE("a GET through curl reaches the upstream and the client gets its body") {
    ScriptedUpstream upstream(respond_with(http_response(200, "hello from upstream", {{"Content-Type", "text/plain"}})));
    ProxyProcess proxy(upstream.port());
    auto result = curl({"-H", "Connection: keep-alive", "-H", "x-MiXeD-Case: v1", url(proxy.port(), "/hello?x=1")});
    INFO(result.describe());
    REQUIRE(result.exit_code == 0);
    CHECK(result.out == "hello from upstream");

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    const std::string host = "127.0.0.1:" + std::to_string(proxy.port());
    CHECK(at(record, "/outcome") == "ok");
    CHECK(at(record, "/id") == 1);
    CHECK(at(record, "/client/addr") == "127.0.0.1");
    CHECK(at(record, "/client/conn_seq") == 1);

    // request: as received, names in wire case
    CHECK(at(record, "/request/method") == "GET");
    CHECK(at(record, "/request/target") == "/hello?x=1");
    CHECK(at(record, "/request/version") == "HTTP/1.1");
    auto received = at(record, "/request/headers");
    CHECK(header_value(received, "Host") == host);
    CHECK(header_value(received, "Connection") == "keep-alive");
    bool wire_case_kept = false;
    for (const auto& field : received) wire_case_kept |= field.at("name") == "x-MiXeD-Case";
    CHECK(wire_case_kept);

    // upstream_request: the rewritten copy and the list of edits
    auto sent = at(record, "/upstream_request/headers");
    CHECK(header_values(sent, "X-Forwarded-For") == std::vector<std::string>{"127.0.0.1"});
    CHECK(header_value(sent, "X-Forwarded-Proto") == "http");
    CHECK(header_value(sent, "X-Forwarded-Host") == host);
    CHECK(header_value(sent, "Host") == host);
    CHECK(count_headers(sent, "Connection") == 0);
    CHECK(at(record, "/x_forwarded_proto") == "http");
    auto xff = find_change(record, "X-Forwarded-For", "x-forwarded-for");
    REQUIRE(xff);
    CHECK(xff->at("op") == "add");
    CHECK(xff->at("value") == "127.0.0.1");
    CHECK(find_change(record, "X-Forwarded-Proto", "x-forwarded-proto"));
    CHECK(find_change(record, "X-Forwarded-Host", "x-forwarded-host"));
    auto connection = find_change(record, "Connection", "hop-by-hop");
    REQUIRE(connection);
    CHECK(connection->at("op") == "remove");

    CHECK(at(record, "/response/source") == "upstream");
    CHECK(at(record, "/response/status") == 200);
    CHECK(at(record, "/response/body_bytes") == 19);
    auto attempts = at(record, "/attempts");
    REQUIRE(attempts.size() == 1);
    CHECK(at(attempts[0], "/conn/reused") == false);
    CHECK(at(attempts[0], "/status") == 200);
    CHECK(at(attempts[0], "/error").is_null());

    auto wire = upstream.received(0);
    INFO("upstream received:\n" << wire);
    CHECK(icontains(wire, "\r\nX-Forwarded-For: 127.0.0.1\r\n"));
    CHECK_FALSE(icontains(wire, "\r\nConnection:"));
    CHECK(wire.find("\r\nx-MiXeD-Case: v1\r\n") != std::string::npos);
    check_record_matches_wire(record, wire);
}

TEST_CASE("a GET through cpp-httplib's client gets the upstream's answer, twice on one keep-alive connection") {
    ScriptedUpstream upstream(serve([](const ReceivedRequest& request) {
        return http_response(200, "you asked for " + request.target, {{"Content-Type", "text/plain"}});
    }));
    ProxyProcess proxy(upstream.port());
    {
        httplib::Client client("127.0.0.1", proxy.port());
        client.set_keep_alive(true);
        client.set_connection_timeout(5);
        client.set_read_timeout(20);
        auto first = client.Get("/one", {{"X-Client", "httplib"}});
        REQUIRE(first);
        CHECK(first->status == 200);
        CHECK(first->body == "you asked for /one");
        auto second = client.Get("/two");
        REQUIRE(second);
        CHECK(second->status == 200);
        CHECK(second->body == "you asked for /two");
    }
    auto records = proxy.wait_for_round_trips(2);
    INFO(show(records));
    CHECK(at(records[0], "/request/target") == "/one");
    CHECK(header_value(at(records[0], "/request/headers"), "X-Client") == "httplib");
    CHECK(header_value(at(records[0], "/upstream_request/headers"), "X-Client") == "httplib");
    CHECK(header_value(at(records[0], "/upstream_request/headers"), "X-Forwarded-For") == "127.0.0.1");
    CHECK(at(records[0], "/outcome") == "ok");
    CHECK(at(records[1], "/outcome") == "ok");
    CHECK(at(records[0], "/client/conn_seq") == 1);
    CHECK(at(records[1], "/client/conn_seq") == 2);
    CHECK(at(records[0], "/client/conn_id") == at(records[1], "/client/conn_id"));
    CHECK(at(records[1], "/id").get<int>() > at(records[0], "/id").get<int>());
    check_record_matches_wire(records[0], upstream.received(0));
}

TEST_CASE("hop-by-hop headers and the fields named by Connection never reach the upstream") {
    ScriptedUpstream upstream(respond_with(http_response(200, "ok")));
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    client.send(
        "GET /h HTTP/1.1\r\n"
        "Host: example.test\r\n"
        "Connection: keep-alive, X-Secret\r\n"
        "X-Secret: 1\r\n"
        "Keep-Alive: 5\r\n"
        "Proxy-Connection: keep-alive\r\n"
        "X-Forwarded-For: 6.6.6.6\r\n"
        "x-keep: yes\r\n"
        "\r\n");
    auto response = client.read_response();
    REQUIRE(response.status == 200);
    CHECK(response.body == "ok");

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    // The record keeps the request exactly as received: order, case, duplicates.
    json as_sent = json::array({
        {{"name", "Host"}, {"value", "example.test"}},
        {{"name", "Connection"}, {"value", "keep-alive, X-Secret"}},
        {{"name", "X-Secret"}, {"value", "1"}},
        {{"name", "Keep-Alive"}, {"value", "5"}},
        {{"name", "Proxy-Connection"}, {"value", "keep-alive"}},
        {{"name", "X-Forwarded-For"}, {"value", "6.6.6.6"}},
        {{"name", "x-keep"}, {"value", "yes"}},
    });
    CHECK(at(record, "/request/headers") == as_sent);

    auto wire = upstream.received(0);
    INFO("upstream received:\n" << wire);
    auto head = parse_head(wire);
    CHECK_FALSE(head.field("Connection"));
    CHECK_FALSE(head.field("X-Secret"));
    CHECK_FALSE(head.field("Keep-Alive"));
    CHECK_FALSE(head.field("Proxy-Connection"));
    CHECK(head.all("X-Forwarded-For") == std::vector<std::string>{"127.0.0.1"});  // an untrusted client's value is replaced
    CHECK(head.field("X-Forwarded-Host") == "example.test");
    CHECK(head.field("x-keep") == "yes");
    check_record_matches_wire(record, wire);

    auto secret = find_change(record, "X-Secret", "connection-token");
    REQUIRE(secret);
    CHECK(secret->at("op") == "remove");
    auto connection = find_change(record, "Connection", "hop-by-hop");
    REQUIRE(connection);
    CHECK(connection->at("op") == "remove");
    // Keep-Alive is named by the token "keep-alive", and Connection tokens are removed
    // first (ROUND_TRIP_NOTES §2 step 1), so that is the reason recorded for it.
    auto keep_alive = find_change(record, "Keep-Alive", "connection-token");
    REQUIRE(keep_alive);
    CHECK(keep_alive->at("op") == "remove");
    auto proxy_connection = find_change(record, "Proxy-Connection", "hop-by-hop");
    REQUIRE(proxy_connection);
    CHECK(proxy_connection->at("op") == "remove");
    auto xff = find_change(record, "X-Forwarded-For", "x-forwarded-for");
    REQUIRE(xff);
    CHECK(xff->at("op") == "replace");
    CHECK(xff->at("value") == "127.0.0.1");
}

TEST_CASE("a trusted proxy's X-Forwarded-For is kept and the peer appended") {
    ScriptedUpstream upstream(respond_with(http_response(200, "ok")));
    ProxyProcess proxy(upstream.port(), {"--trusted-proxies", "127.0.0.0/8"});
    RawClient client(proxy.port());
    client.send("GET / HTTP/1.1\r\nHost: example.test\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n");
    REQUIRE(client.read_response().status == 200);

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    auto head = parse_head(upstream.received(0));
    CHECK(head.all("X-Forwarded-For") == std::vector<std::string>{"6.6.6.6, 127.0.0.1"});
    auto xff = find_change(record, "X-Forwarded-For", "x-forwarded-for");
    REQUIRE(xff);
    CHECK(xff->at("op") != "remove");
    CHECK(xff->at("value") == "6.6.6.6, 127.0.0.1");
}
