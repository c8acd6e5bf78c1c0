// --read-body-timeout: a client that goes silent in the middle of its request body, without
// closing, must not hold its connection and an upstream connection for as long as the
// upstream cares to wait. The timeout counts silence, not the whole upload: a slow client
// that keeps sending is never cut.
#include <atomic>
#include <chrono>
#include <thread>

#include "test_support.hpp"

using namespace rtproxy::integration;

TEST_CASE("a client silent in the middle of its body gets a 408 and the upstream connection is closed") {
    std::atomic<bool> upstream_saw_close{false};
    ScriptedUpstream upstream([&](UpstreamConnection& c) {
        c.read_head();
        CHECK(c.read_exact(3) == "abc");
        const auto how = c.wait_for_close();
        upstream_saw_close = how == ReadStatus::eof || how == ReadStatus::reset;
    });
    ProxyProcess proxy(upstream.port(), {"--read-body-timeout", "300ms"});
    RawClient client(proxy.port());
    client.send("POST /upload HTTP/1.1\r\nHost: example.test\r\nContent-Length: 10\r\n\r\nabc");
    auto response = client.read_response();
    CHECK(response.status == 408);
    CHECK(response.header("Connection") == "close");
    CHECK(response.body.find("--read-body-timeout (300ms)") != std::string::npos);
    const auto client_end = client.wait_for_close();
    CHECK((client_end == ReadStatus::eof || client_end == ReadStatus::reset));

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "timeout");
    CHECK(at(record, "/response/status") == 408);
    CHECK(at(record, "/response/source") == "proxy");
    CHECK(at(record, "/request/body_bytes") == 3);
    const auto& error = at(record, "/errors/0");
    CHECK(error["op"] == "read");
    CHECK(error["peer"] == "client");
    CHECK(error["phase"] == "request_body");
    CHECK(error["kind"] == "timeout");
    CHECK(error["bytes"] == 3);
    CHECK(at(record, "/attempts/0/request_body_bytes_written") == 3);
    CHECK(at(record, "/attempts/0/retry/decision") == "give_up");

    upstream.stop();
    CHECK(upstream_saw_close);
    CHECK(upstream.script_failures().empty());
}

TEST_CASE("a slow upload that keeps sending outlasts --read-body-timeout") {
    ScriptedUpstream upstream(serve([](const ReceivedRequest& request) { return http_response(200, request.body); }));
    ProxyProcess proxy(upstream.port(), {"--read-body-timeout", "1s"});
    RawClient client(proxy.port());
    const std::string pieces[] = {"one-", "two-", "three-", "four-", "five-", "six"};
    std::size_t total = 0;
    for (const auto& piece : pieces) total += piece.size();
    client.send("POST /slow HTTP/1.1\r\nHost: example.test\r\nContent-Length: " + std::to_string(total) + "\r\n\r\n");
    // Pacing a slow client, not synchronising: 6 x 250 ms is longer than the 1 s timeout,
    // each gap far shorter than it.
    for (const auto& piece : pieces) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        client.send(piece);
    }
    auto response = client.read_response();
    CHECK(response.status == 200);
    CHECK(response.body == "one-two-three-four-five-six");

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "ok");
    CHECK(at(record, "/errors").empty());
    CHECK(at(record, "/request/body_bytes") == total);
}
