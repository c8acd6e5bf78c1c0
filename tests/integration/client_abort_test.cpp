// A client that goes away mid-response is the client's failure, not the upstream's: the
// record says write/client, and the upstream connection is closed, never pooled
// (ROUND_TRIP_NOTES §5).
#include "harness/retry_scripts.hpp"
#include "test_support.hpp"

using namespace rtproxy::integration;

namespace {

// What every upstream connection after the first does: answer "fresh <target>".
Script answer_fresh() {
    return serve([](const ReceivedRequest& request) { return http_response(200, "fresh " + request.target); });
}

// After the aborted round trip rtproxy still serves: a new client's request is answered on
// a second upstream connection (the first one was not pooled).
void check_next_request_served(const ProxyProcess& proxy, const ScriptedUpstream& upstream) {
    RawClient next(proxy.port());
    next.send(get("/again"));
    auto response = next.read_response();
    CHECK(response.status == 200);
    CHECK(response.body == "fresh /again");
    CHECK(upstream.connections_accepted() == 2);
}

}  // namespace

TEST_CASE("a client that disconnects mid-response is recorded as client_abort and the upstream connection is dropped") {
    Gate upstream_saw_close;
    ScriptedUpstream upstream(first_connection([&](UpstreamConnection& c) {
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
    }, answer_fresh()));
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

    check_next_request_served(proxy, upstream);
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
    ScriptedUpstream upstream(first_connection([&](UpstreamConnection& c) {
        c.read_head();
        request_forwarded.open();
        if (client_reset.wait(Millis{10000})) c.write(http_response(200, "small"));
    }, answer_fresh()));
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

    check_next_request_served(proxy, upstream);
}
