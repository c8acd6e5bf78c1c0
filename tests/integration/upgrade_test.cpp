// 101 Switching Protocols (ROUND_TRIP_NOTES §4, contract `tunnel`): an upgrade the
// client asked for is forwarded, the matching 101 relayed, and bytes then flow both ways
// with a half-close passed through; a 101 nobody asked for, or for another protocol, is
// a 502 with the reason.
#include <atomic>

#include "harness/interim_peers.hpp"
#include "test_support.hpp"

using namespace rtproxy::integration;

namespace {

// RFC 6455 §1.3's sample key and its accept value.
const std::string websocket_handshake =
    "GET /chat HTTP/1.1\r\n"
    "Host: example.test\r\n"
    "Connection: Upgrade\r\n"
    "Upgrade: websocket\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "\r\n";

std::string switching_protocols(const std::string& protocol) {
    return interim_head(101, "Switching Protocols",
                        {{"Upgrade", protocol},
                         {"Connection", "Upgrade"},
                         {"Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}});
}

}  // namespace

TEST_CASE("a websocket upgrade is relayed and bytes are tunnelled both ways, half-close included") {
    std::atomic<bool> upstream_saw_eof{false};
    ScriptedUpstream upstream([&](UpstreamConnection& connection) {
        connection.read_head();
        connection.write(switching_protocols("websocket"));
        connection.write(connection.read_exact(4));  // echo "ping"
        // The client's half-close must arrive as EOF, with our side still open for writing.
        connection.read_until_eof();
        upstream_saw_eof = true;
        connection.write("bye");
        connection.shutdown_write();
    });
    ProxyProcess proxy(upstream.port());

    TunnelClient client(proxy.port());
    client.send(websocket_handshake);
    auto head = parse_head(client.read_head());
    CHECK(head.start_line == "HTTP/1.1 101 Switching Protocols");
    CHECK(head.field("Upgrade") == "websocket");
    REQUIRE(head.field("Connection"));
    CHECK(icontains(*head.field("Connection"), "upgrade"));
    CHECK(head.field("Sec-WebSocket-Accept") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");

    client.send("ping");
    CHECK(client.read_exact(4) == "ping");
    client.shutdown_write();
    ReadStatus how{};
    CHECK(client.read_until_eof(how) == "bye");
    CHECK(how == ReadStatus::eof);
    REQUIRE(upstream.wait_for_scripts());
    CHECK(upstream_saw_eof);
    CHECK(upstream.script_failures().empty());

    // What the upstream was asked: the upgrade, with the tokens that make it one.
    auto asked = parse_head(upstream.received(0));
    CHECK(asked.field("Upgrade") == "websocket");
    REQUIRE(asked.field("Connection"));
    CHECK(icontains(*asked.field("Connection"), "upgrade"));
    CHECK(asked.field("Sec-WebSocket-Key") == "dGhlIHNhbXBsZSBub25jZQ==");

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "ok");
    CHECK(at(record, "/response/status") == 101);
    CHECK(at(record, "/response/source") == "upstream");
    CHECK(at(record, "/tunnel/protocol") == "websocket");
    CHECK(at(record, "/tunnel/client_to_upstream_bytes") == 4);
    CHECK(at(record, "/tunnel/upstream_to_client_bytes") == 7);
    CHECK(at(record, "/tunnel/closed_by") == "client");
    CHECK(at(record, "/interim").empty());  // a 101 is the final answer, not an interim one
}

TEST_CASE("bytes the upstream sends right behind its 101 reach the client through the tunnel") {
    ScriptedUpstream upstream([](UpstreamConnection& connection) {
        connection.read_head();
        connection.write(switching_protocols("websocket") + "hello");  // one write: head and data together
        connection.shutdown_write();
        connection.read_until_eof();
    });
    ProxyProcess proxy(upstream.port());

    TunnelClient client(proxy.port());
    client.send(websocket_handshake);
    CHECK(parse_head(client.read_head()).start_line == "HTTP/1.1 101 Switching Protocols");
    ReadStatus how{};
    CHECK(client.read_until_eof(how) == "hello");
    client.shutdown_write();
    REQUIRE(upstream.wait_for_scripts());

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/tunnel/upstream_to_client_bytes") == 5);
    CHECK(at(record, "/tunnel/client_to_upstream_bytes") == 0);
    CHECK(at(record, "/tunnel/closed_by") == "upstream");
}

TEST_CASE("a 101 the client did not ask for is a 502 that says why") {
    ScriptedUpstream upstream([](UpstreamConnection& connection) {
        connection.read_head();
        connection.write(switching_protocols("websocket"));
        connection.wait_for_close(Millis{5000});
    });
    ProxyProcess proxy(upstream.port());

    RawClient client(proxy.port());
    client.send(get("/not-an-upgrade"));
    auto response = client.read_response();
    INFO(response.raw);
    CHECK(response.status == 502);
    CHECK(count_occurrences(response.raw, "HTTP/1.1 101") == 0);
    CHECK(icontains(response.body, "did not ask"));
    // The upstream's request carried no upgrade of its own making.
    CHECK_FALSE(parse_head(upstream.received(0)).field("Upgrade"));

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/response/status") == 502);
    CHECK(at(record, "/response/source") == "proxy");
    CHECK(at(record, "/tunnel").is_null());
    CHECK(at(record, "/outcome") == "upstream_error");
    CHECK(find_error(record, "", "upstream", "response_head"));
}

TEST_CASE("a 101 to another protocol than the client asked for is a 502 that names both") {
    ScriptedUpstream upstream([](UpstreamConnection& connection) {
        connection.read_head();
        connection.write(switching_protocols("h2c"));
        connection.wait_for_close(Millis{5000});
    });
    ProxyProcess proxy(upstream.port());

    RawClient client(proxy.port());
    client.send(websocket_handshake);
    auto response = client.read_response();
    INFO(response.raw);
    CHECK(response.status == 502);
    CHECK(count_occurrences(response.raw, "HTTP/1.1 101") == 0);
    CHECK(icontains(response.body, "h2c"));
    CHECK(icontains(response.body, "websocket"));

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/response/status") == 502);
    CHECK(at(record, "/response/source") == "proxy");
    CHECK(at(record, "/tunnel").is_null());
    auto error = find_error(record, "", "upstream", "response_head");
    REQUIRE(error);
    CHECK(icontains(error->at("message").get<std::string>(), "h2c"));
}
