// The harness tested against itself (no rtproxy): a scripted upstream talking straight to
// a raw client. If these fail, nothing else in this folder can be trusted.
#include <catch2/catch.hpp>

#include "harness/command.hpp"
#include "harness/gate.hpp"
#include "harness/raw_client.hpp"
#include "harness/record_queries.hpp"
#include "harness/schema_validation.hpp"
#include "harness/scripted_upstream.hpp"
#include "harness/upstream_scripts.hpp"

using namespace rtproxy::integration;

TEST_CASE("harness: a scripted upstream answers keep-alive requests and records what it received") {
    ScriptedUpstream upstream(serve([](const ReceivedRequest& request) {
        return http_response(200, request.target + ":" + request.body);
    }));
    RawClient client(upstream.port());
    client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
    auto first = client.read_response();
    auto second = client.read_response();
    CHECK(first.complete);
    CHECK(first.status == 200);
    CHECK(first.body == "/a:");
    CHECK(second.body == "/b:abc");
    client.send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked("hello world", 4));
    CHECK(client.read_response().body == "/c:hello world");
    client.close();
    REQUIRE(upstream.wait_for_scripts());
    CHECK(upstream.connections_accepted() == 1);
    CHECK(upstream.received(0).find("POST /b HTTP/1.1\r\n") != std::string::npos);
    CHECK(upstream.script_failures().empty());
}

TEST_CASE("harness: a raw client tells a reset from a clean close and a cut body from a whole one") {
    Gate client_has_bytes;
    ScriptedUpstream upstream([&](UpstreamConnection& c) {
        c.read_head();
        if (c.index() == 0) {
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(5000, 'x'));
            client_has_bytes.wait(Millis{10000});
            c.reset();
        } else if (c.index() == 1) {
            c.write("HTTP/1.1 200 OK\r\n\r\nuntil close");
            c.close();
        } else {
            c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
                    chunked("abc", 2, {{"X-Sum", "42"}}));
        }
    });
    {
        RawClient client(upstream.port());
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        client.read_until("\r\n\r\n");
        auto some = client.read_exact(5000);
        client_has_bytes.open();
        auto rest = client.read_all_until_close();
        CHECK(rest.how == ReadStatus::reset);
    }
    {
        RawClient client(upstream.port());
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        auto response = client.read_response();
        CHECK(response.complete);
        CHECK(response.body == "until close");
    }
    {
        RawClient client(upstream.port());
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        auto response = client.read_response();
        CHECK(response.complete);
        CHECK(response.body == "abc");
        REQUIRE(response.trailers.size() == 1);
        CHECK(response.trailers[0] == Field{"X-Sum", "42"});
        CHECK(response.raw.find("0\r\nX-Sum: 42\r\n\r\n") != std::string::npos);
    }
}

TEST_CASE("harness: a cut Content-Length body is reported incomplete with the bytes that arrived") {
    ScriptedUpstream upstream([](UpstreamConnection& c) {
        c.read_head();
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        c.close();
    });
    RawClient client(upstream.port());
    client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    auto response = client.read_response();
    CHECK_FALSE(response.complete);
    CHECK(response.ended_by == ReadStatus::eof);
    CHECK(response.body == "abc");
}

TEST_CASE("harness: curl runs bounded and its exit code and output are kept") {
    ScriptedUpstream upstream(respond_with(http_response(200, "from upstream")));
    auto result = curl({"http://127.0.0.1:" + std::to_string(upstream.port()) + "/"});
    INFO(result.describe());
    CHECK(result.exit_code == 0);
    CHECK(result.out == "from upstream");
}

TEST_CASE("harness: a stopped upstream wakes scripts blocked in a read") {
    ScriptedUpstream upstream([](UpstreamConnection& c) { c.read_head(Millis{60000}); });
    RawClient client(upstream.port());
    REQUIRE(upstream.wait_for_connections(1));
    auto started = std::chrono::steady_clock::now();
    upstream.stop();
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
    CHECK(upstream.script_failures().size() == 1);  // the read ended by stop(), as an exception
}

TEST_CASE("harness: the schema check rejects an event that lacks a required field") {
    auto incomplete = validate_json_lines({R"({"event":"shutdown","reason":"x","rounds":0,"errors":{},"dropped":0})"});
    INFO(incomplete.describe());
    CHECK(incomplete.exit_code != 0);  // uptime_ms is missing
    auto complete =
        validate_json_lines({R"({"event":"shutdown","reason":"x","rounds":0,"errors":{},"dropped":0,"uptime_ms":1.5})"});
    INFO(complete.describe());
    CHECK(complete.exit_code == 0);
}

TEST_CASE("harness: a record query names the missing field instead of returning null") {
    json record = {{"attempts", json::array({{{"conn", {{"reused", true}}}}})}};
    CHECK(at(record, "/attempts/0/conn/reused") == true);
    CHECK_THROWS_WITH(at(record, "/attempts/1/conn"), Catch::Contains("record has no /attempts/1/conn"));
}
