// Response bodies of every framing reach the client whole, byte for byte, streamed.
#include <mutex>

#include "test_support.hpp"

using namespace rtproxy::integration;

TEST_CASE("a close-delimited response body reaches the client complete") {
    const std::string body = pattern_bytes(200000, 7);
    ScriptedUpstream upstream([&](UpstreamConnection& c) {
        c.read_head();
        c.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n" + body);
        c.close();  // no Content-Length, no Transfer-Encoding: EOF ends the body (RFC 9112 §6.3 item 8)
    });
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    client.send(get("/stream"));
    auto response = client.read_response();
    CHECK(response.status == 200);
    // The copy must be delimited somehow (chunked, or closing the client connection).
    CHECK(response.complete);
    CHECK(response.body.size() == body.size());
    CHECK(fnv1a(response.body) == fnv1a(body));

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "ok");
    CHECK(at(record, "/response/body_framing") == "close");
    CHECK(at(record, "/response/body_bytes") == body.size());
}

TEST_CASE("a chunked response's trailers reach the client after the last chunk and are recorded") {
    ScriptedUpstream upstream(respond_with(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n" +
        chunked("hello world", 5, {{"X-Checksum", "abc123"}})));
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    client.send("GET /t HTTP/1.1\r\nHost: example.test\r\nTE: trailers\r\n\r\n");
    auto response = client.read_response();
    INFO(response.raw);
    CHECK(response.complete);
    CHECK(response.body == "hello world");
    CHECK(response.trailers == FieldList{{"X-Checksum", "abc123"}});
    CHECK(icontains(response.raw, "\r\n0\r\nX-Checksum: abc123\r\n\r\n"));

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "ok");
    CHECK(at(record, "/response/body_framing") == "chunked");
    CHECK(at(record, "/response/body_bytes") == 11);
    CHECK(header_value(at(record, "/response/trailers"), "X-Checksum") == "abc123");
}

TEST_CASE("5 MB up and 5 MB down stream through byte for byte") {
    constexpr std::size_t size = 5 * 1024 * 1024;
    const std::string upload = pattern_bytes(size, 11);
    const std::string download = pattern_bytes(size, 13);
    std::mutex mutex;
    std::uint64_t upstream_hash = 0;
    std::size_t upstream_size = 0;
    ScriptedUpstream upstream(serve([&](const ReceivedRequest& request) {
        std::lock_guard lock(mutex);
        upstream_hash = fnv1a(request.body);
        upstream_size = request.body.size();
        return http_response(200, download, {{"Content-Type", "application/octet-stream"}});
    }));
    ProxyProcess proxy(upstream.port());
    TempDir dir;
    auto upload_file = dir.write("upload.bin", upload);
    auto download_file = dir.file("download.bin");
    auto result = curl({"--data-binary", "@" + upload_file.string(), "-o", download_file.string(), "-w",
                        "%{http_code}", url(proxy.port(), "/upload")});
    INFO(result.describe());
    REQUIRE(result.exit_code == 0);
    CHECK(result.out == "200");
    auto received = read_file(download_file);
    CHECK(received.size() == size);
    CHECK(fnv1a(received) == fnv1a(download));
    {
        std::lock_guard lock(mutex);
        CHECK(upstream_size == size);
        CHECK(upstream_hash == fnv1a(upload));
    }

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "ok");
    CHECK(at(record, "/request/method") == "POST");
    CHECK(at(record, "/request/body_bytes") == size);
    CHECK(at(record, "/upstream_request/body_bytes") == size);
    CHECK(at(record, "/response/body_bytes") == size);
    CHECK(at(record, "/attempts/0/request_body_bytes_written") == size);
}

TEST_CASE("server-sent events reach the client one by one, while the upstream holds the stream open") {
    Gate client_has_first_event;
    ScriptedUpstream upstream([&](UpstreamConnection& c) {
        c.read_head();
        c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                "b\r\ndata: one\n\n\r\n");
        // The second event waits until the client has the first: a proxy that buffered the
        // body, or held bytes back until more came, never gets there.
        client_has_first_event.wait(Millis{10000});
        c.write("b\r\ndata: two\n\n\r\n0\r\n\r\n");
    });
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    client.send(get("/events"));
    auto first = client.read_until("data: one\n\n");
    CHECK(icontains(first, "Content-Type: text/event-stream"));
    client_has_first_event.open();
    client.read_until("data: two\n\n");
    client.read_until("0\r\n\r\n");

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "ok");
    CHECK(at(record, "/response/body_framing") == "chunked");
    CHECK(at(record, "/response/body_bytes") == 22);
}
