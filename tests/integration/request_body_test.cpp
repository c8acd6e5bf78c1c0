// Request bodies reach the upstream whole whatever framing the client chose, and the next
// request on the connection starts exactly where the body ended.
#include <mutex>

#include "test_support.hpp"

using namespace rtproxy::integration;

TEST_CASE("a chunked request body reaches the upstream whole and the connection stays in step") {
    std::mutex mutex;
    std::vector<std::string> bodies;
    ScriptedUpstream upstream(serve([&](const ReceivedRequest& request) {
        std::lock_guard lock(mutex);
        bodies.push_back(request.body);
        return http_response(200, request.method + " " + std::to_string(request.body.size()));
    }));
    ProxyProcess proxy(upstream.port());
    const std::string body = pattern_bytes(300000, 5);
    RawClient client(proxy.port());
    client.send("POST /upload HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\n\r\n" +
                chunked(body, 7000, {{"X-Digest", "d1"}}) + get("/next"));
    auto posted = client.read_response();
    auto next = client.read_response();
    CHECK(posted.body == "POST 300000");
    CHECK(next.body == "GET 0");
    {
        std::lock_guard lock(mutex);
        REQUIRE(bodies.size() == 2);
        CHECK(bodies[0].size() == body.size());
        CHECK(fnv1a(bodies[0]) == fnv1a(body));
    }

    auto records = proxy.wait_for_round_trips(2);
    INFO(show(records));
    CHECK(at(records[0], "/request/body_framing") == "chunked");
    CHECK(at(records[0], "/request/body_bytes") == body.size());
    CHECK(header_value(at(records[0], "/request/trailers"), "X-Digest") == "d1");
    CHECK(at(records[0], "/upstream_request/body_bytes") == body.size());
    CHECK(at(records[0], "/attempts/0/request_body_bytes_written") == body.size());
    CHECK(at(records[0], "/outcome") == "ok");
    CHECK(at(records[1], "/request/target") == "/next");
    CHECK(at(records[1], "/request/body_framing") == "none");
    CHECK(at(records[1], "/client/conn_seq") == 2);
}

TEST_CASE("a Content-Length request body is forwarded with the same length") {
    ScriptedUpstream upstream(serve([](const ReceivedRequest& request) {
        return http_response(201, request.body, {{"X-Length", request.head.field("Content-Length").value_or("none")}});
    }));
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    client.send("PUT /thing HTTP/1.1\r\nHost: example.test\r\nContent-Length: 11\r\n\r\nhello world");
    auto response = client.read_response();
    CHECK(response.status == 201);
    CHECK(response.body == "hello world");
    CHECK(response.header("X-Length") == "11");

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/request/body_framing") == "length");
    CHECK(at(record, "/upstream_request/body_framing") == "length");
    CHECK(at(record, "/upstream_request/body_bytes") == 11);
    CHECK(at(record, "/response/status") == 201);
}
