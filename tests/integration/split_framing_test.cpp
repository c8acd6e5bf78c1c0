// Chunked framing cut between two reads. A peer's bytes arrive in whatever pieces TCP
// makes, so rtproxy's buffer can end partway through a chunk-size line, the CRLF after a
// chunk's data, or a trailer line: the decoder can take nothing more from it and rtproxy
// has to read on. Each split below is made exact: the sender waits until rtproxy has read
// the first part (its socket's receive queue is empty) before sending the rest.
#include <array>
#include <mutex>

#include "test_support.hpp"

using namespace rtproxy::integration;

namespace {

struct Split {
    const char* where;
    const char* first;  // ends where the decoder needs more bytes than it has
    const char* rest;
    bool trailer;       // the body ends with trailer "X-Tr: t"
};

// Every one is the body "helloabc" in two chunks.
constexpr std::array<Split, 3> splits{{
    {"in a chunk-size line", "5\r\nhello\r\n3", "\r\nabc\r\n0\r\n\r\n", false},
    {"in the CRLF after a chunk's data", "5\r\nhello\r", "\n3\r\nabc\r\n0\r\n\r\n", false},
    {"in a trailer line", "5\r\nhello\r\n3\r\nabc\r\n0\r\nX-T", "r: t\r\n\r\n", true},
}};

}  // namespace

TEST_CASE("a chunked response cut between reads inside its framing reaches the client whole") {
    const Split split = splits.at(GENERATE(range(std::size_t{0}, splits.size())));
    INFO("cut " << split.where);
    Gate proxy_read_first_part;
    ScriptedUpstream upstream([&](UpstreamConnection& c) {
        c.read_head();
        c.write(std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") + split.first);
        if (!c.wait_until_proxy_read_all()) return;
        proxy_read_first_part.open();
        c.write(split.rest);
    });
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    client.send(get("/cut"));
    auto response = client.read_response();
    CHECK(proxy_read_first_part.is_open());
    CHECK(response.complete);
    CHECK(response.status == 200);
    CHECK(response.body == "helloabc");
    CHECK(response.trailers == (split.trailer ? FieldList{{"X-Tr", "t"}} : FieldList{}));

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "ok");
    CHECK(at(record, "/response/body_bytes") == 8);
    if (split.trailer) CHECK(header_value(at(record, "/response/trailers"), "X-Tr") == "t");
    CHECK(upstream.script_failures().empty());
}

TEST_CASE("a chunked request body cut between reads inside its framing reaches the upstream whole") {
    const Split split = splits.at(GENERATE(range(std::size_t{0}, splits.size())));
    INFO("cut " << split.where);
    std::mutex mutex;
    std::vector<ReceivedRequest> seen;
    ScriptedUpstream upstream(serve([&](const ReceivedRequest& request) {
        std::lock_guard lock(mutex);
        seen.push_back(request);
        return http_response(200, "got " + request.body);
    }));
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    client.send(std::string("POST /up HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\n\r\n") +
                split.first);
    REQUIRE(client.wait_until_proxy_read_all());
    client.send(split.rest);
    auto response = client.read_response();
    CHECK(response.status == 200);
    CHECK(response.body == "got helloabc");
    {
        std::lock_guard lock(mutex);
        REQUIRE(seen.size() == 1);
        CHECK(seen[0].body == "helloabc");
        CHECK(seen[0].trailers == (split.trailer ? FieldList{{"X-Tr", "t"}} : FieldList{}));
    }

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "ok");
    CHECK(at(record, "/request/body_bytes") == 8);
    CHECK(at(record, "/attempts/0/request_body_bytes_written") == 8);
}

TEST_CASE("a retried response's chunked body cut between reads inside its framing is drained, then the retry goes out") {
    const Split split = splits.at(GENERATE(range(std::size_t{0}, splits.size())));
    INFO("cut " << split.where);
    // --retry-on-status: rtproxy reads the 503's small body to its end and drops it, so the
    // connection can be pooled, and the retry takes that connection again.
    ScriptedUpstream upstream([&](UpstreamConnection& c) {
        for (int n = 0; auto request = c.read_request(); ++n) {
            if (n > 0) {
                c.write(http_response(200, "second"));
                continue;
            }
            c.write(std::string("HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n") +
                    split.first);
            if (!c.wait_until_proxy_read_all()) return;
            c.write(split.rest);
        }
    });
    ProxyProcess proxy(upstream.port(), {"--retries", "1", "--retry-on-status", "503", "--retry-backoff", "1ms"});
    RawClient client(proxy.port());
    client.send(get("/again"));
    auto response = client.read_response();
    CHECK(response.status == 200);
    CHECK(response.body == "second");

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "ok");
    REQUIRE(at(record, "/attempts").size() == 2);
    CHECK(at(record, "/attempts/0/status") == 503);
    CHECK(at(record, "/attempts/1/status") == 200);
    CHECK(at(record, "/attempts/1/conn/reused") == true);
    CHECK(upstream.connections_accepted() == 1);
}
