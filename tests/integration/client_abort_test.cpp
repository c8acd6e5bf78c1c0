// A client that goes away mid-response is the client's failure, not the upstream's: the
// record says write/client, and the upstream connection is closed, never pooled
// (ROUND_TRIP_NOTES §5).
#include "test_support.hpp"

using namespace rtproxy::integration;

TEST_CASE("a client that disconnects mid-response is recorded as client_abort and the upstream connection is dropped") {
    Gate upstream_saw_close;
    ScriptedUpstream upstream([&](UpstreamConnection& c) {
        if (c.index() > 0) {
            serve([](const ReceivedRequest& request) { return http_response(200, "fresh " + request.target); })(c);
            return;
        }
        c.read_head();
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 104857600\r\n\r\n");
        const std::string piece(16384, 'b');
        auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        try {
            while (std::chrono::steady_clock::now() < give_up) {
                c.write(piece, Millis{20000});
                std::this_thread::sleep_for(std::chrono::milliseconds(2));  // a slow upstream
            }
        } catch (const WriteFailed&) {
            upstream_saw_close.open();
        }
    });
    ProxyProcess proxy(upstream.port());
    {
        RawClient client(proxy.port(), 4096);
        client.send(get("/slow-and-big"));
        client.read_until("\r\n\r\n");
        client.read_exact(100000);
        client.close();  // unread bytes pending: the kernel answers with RST
    }

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "client_abort");
    auto error = find_error(record, "write", "client", "response_body");
    REQUIRE(error);
    CHECK(error->at("bytes").get<long>() >= 100000);
    CHECK(upstream_saw_close.wait(Millis{10000}));

    RawClient next(proxy.port());
    next.send(get("/again"));
    auto response = next.read_response();
    CHECK(response.status == 200);
    CHECK(response.body == "fresh /again");
    CHECK(upstream.connections_accepted() == 2);
    CHECK(upstream.received(1).find("GET /again HTTP/1.1\r\n") == 0);
    auto again = proxy.wait_for_round_trips(2).at(1);
    CHECK(at(again, "/outcome") == "ok");
    CHECK(at(again, "/attempts/0/conn/reused") == false);
}

// A small response leaves in one write with its head; the client that reset before it
// arrived must still be told apart from an upstream failure.
TEST_CASE("a client that resets before a small response is written is recorded as a client write failure") {
    Gate request_forwarded;
    Gate client_reset;
    ScriptedUpstream upstream([&](UpstreamConnection& c) {
        if (c.index() > 0) {
            serve([](const ReceivedRequest& request) { return http_response(200, "fresh " + request.target); })(c);
            return;
        }
        c.read_head();
        request_forwarded.open();
        if (client_reset.wait(Millis{10000})) c.write(http_response(200, "small"));
    });
    ProxyProcess proxy(upstream.port());
    {
        RawClient client(proxy.port());
        client.send(get("/small"));
        REQUIRE(request_forwarded.wait(Millis{10000}));
        client.reset();  // RST: rtproxy's next write to this client fails
    }
    client_reset.open();

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "client_abort");
    CHECK(at(record, "/attempts/0/status") == 200);
    CHECK(at(record, "/attempts/0/error") == nullptr);
    CHECK(at(record, "/response/body_bytes") == 5);
    auto error = find_error(record, "write", "client", "response_body");
    REQUIRE(error);
    CHECK(error->at("bytes") == 5);

    RawClient next(proxy.port());
    next.send(get("/again"));
    auto response = next.read_response();
    CHECK(response.status == 200);
    CHECK(response.body == "fresh /again");
    CHECK(upstream.connections_accepted() == 2);  // the first upstream connection was not pooled
}
