// Connections that outlive one request: keep-alive on both sides, pipelining, and the
// responses that have no body (RFC 9112 §6.3) which must not desynchronise the stream.
#include <algorithm>
#include <set>

#include "test_support.hpp"

using namespace rtproxy::integration;

TEST_CASE("100 requests on one client connection use one upstream connection") {
    ScriptedUpstream upstream(serve([](const ReceivedRequest& request) { return http_response(200, request.target); }));
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    std::vector<std::string> bodies;
    std::vector<std::string> expected_bodies;
    for (int i = 1; i <= 100; ++i) {
        client.send(get("/r" + std::to_string(i)));
        bodies.push_back(client.read_response().body);
        expected_bodies.push_back("/r" + std::to_string(i));
    }
    CHECK(bodies == expected_bodies);

    auto records = by_id(proxy.wait_for_round_trips(100));
    CHECK(upstream.connections_accepted() == 1);
    std::vector<long> conn_seqs, expected_seqs;
    std::vector<bool> reused, expected_reused;
    std::set<long> conn_ids;
    std::vector<std::string> targets;
    for (std::size_t i = 0; i < records.size(); ++i) {
        conn_seqs.push_back(at(records[i], "/client/conn_seq").get<long>());
        expected_seqs.push_back(static_cast<long>(i) + 1);
        reused.push_back(at(records[i], "/attempts/0/conn/reused").get<bool>());
        expected_reused.push_back(i > 0);
        conn_ids.insert(at(records[i], "/client/conn_id").get<long>());
        targets.push_back(at(records[i], "/request/target").get<std::string>());
    }
    CHECK(records.size() == 100);
    CHECK(conn_seqs == expected_seqs);
    CHECK(reused == expected_reused);
    CHECK(conn_ids.size() == 1);
    CHECK(targets == expected_bodies);  // ids follow arrival order
}

TEST_CASE("three pipelined requests get three responses in order") {
    ScriptedUpstream upstream(serve([](const ReceivedRequest& request) { return http_response(200, request.target); }));
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    client.send(get("/1") + get("/2") + get("/3"));
    auto first = client.read_response();
    auto second = client.read_response();
    auto third = client.read_response();
    CHECK(first.body == "/1");
    CHECK(second.body == "/2");
    CHECK(third.body == "/3");

    auto records = by_id(proxy.wait_for_round_trips(3));
    INFO(show(records));
    REQUIRE(records.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(at(records[i], "/request/target") == "/" + std::to_string(i + 1));
        CHECK(at(records[i], "/client/conn_seq") == i + 1);
        CHECK(at(records[i], "/outcome") == "ok");
    }
}

TEST_CASE("HEAD, 204 and 304 responses have no body and the connection stays usable") {
    ScriptedUpstream upstream(serve([](const ReceivedRequest& request) -> std::string {
        if (request.target == "/head")  // a HEAD answer announces a length it does not send
            return "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: text/plain\r\n\r\n";
        if (request.target == "/no-content") return "HTTP/1.1 204 No Content\r\n\r\n";
        if (request.target == "/not-modified") return "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n";
        return http_response(200, "after");
    }));
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());

    client.send("HEAD /head HTTP/1.1\r\nHost: example.test\r\n\r\n");
    auto head = client.read_response(true);
    CHECK(head.status == 200);
    CHECK(head.header("Content-Length") == "1234");
    CHECK(head.body.empty());

    client.send(get("/no-content"));
    auto no_content = client.read_response();
    CHECK(no_content.status == 204);
    CHECK(no_content.body.empty());

    client.send("GET /not-modified HTTP/1.1\r\nHost: example.test\r\nIf-None-Match: \"v1\"\r\n\r\n");
    auto not_modified = client.read_response();
    CHECK(not_modified.status == 304);
    CHECK(not_modified.header("ETag") == "\"v1\"");
    CHECK(not_modified.body.empty());

    client.send(get("/after"));
    auto after = client.read_response();
    CHECK(after.status == 200);
    CHECK(after.body == "after");  // nothing left over from the bodiless responses

    auto records = by_id(proxy.wait_for_round_trips(4));
    INFO(show(records));
    REQUIRE(records.size() == 4);
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(at(records[i], "/client/conn_seq") == i + 1);
        CHECK(at(records[i], "/outcome") == "ok");
    }
    CHECK(at(records[0], "/response/body_bytes") == 0);
    CHECK(at(records[1], "/response/body_bytes") == 0);
    CHECK(at(records[2], "/response/body_bytes") == 0);
    CHECK(at(records[3], "/response/body_bytes") == 5);
    CHECK(at(records[0], "/response/status") == 200);
    CHECK(at(records[1], "/response/status") == 204);
    CHECK(at(records[2], "/response/status") == 304);
    CHECK(upstream.connections_accepted() == 1);  // the upstream side stayed in step too
}
