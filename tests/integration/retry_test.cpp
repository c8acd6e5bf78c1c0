// Which failures rtproxy retries and which it must not (ROUND_TRIP_NOTES §3): nothing is
// retried once a response byte reached the client; after the request was written only
// idempotent methods (or an Idempotency-Key, or --retry-all-methods); a status listed in
// --retry-on-status is retried and, when retries run out, relayed as it came. Every
// attempt says in `retry` why it was or was not retried (ROUND_TRIP.md "attempt").
#include <algorithm>
#include <atomic>

#include "harness/reset_after_read.hpp"
#include "harness/retry_requests.hpp"
#include "harness/retry_scripts.hpp"
#include "test_support.hpp"

using namespace rtproxy::integration;

namespace {

// A POST that the upstream reads whole and then answers with a reset, sent with `args`.
ResetAfterReadRun post_to_an_upstream_that_resets_after_reading(const std::vector<std::string>& args,
                                                                const std::string& extra_fields = {}) {
    return through_an_upstream_that_resets_after_reading(
        post_with_length("/orders", "item=42", extra_fields), args,
        [](const ReceivedRequest& request) { return http_response(201, "created " + request.body); });
}

}  // namespace

TEST_CASE("a GET whose upstream connection is reset before the request was read is retried on a new connection") {
    ScriptedUpstream upstream(first_connection(reset_without_reading(), respond_with(http_response(200, "second try"))));
    ProxyProcess proxy(upstream.port(), {"--retries", "1"});
    auto result = curl({"-w", "\n%{http_code}", url(proxy.port(), "/flaky")});
    INFO(result.describe());
    CHECK(result.exit_code == 0);
    CHECK(result.out == "second try\n200");

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(upstream.connections_accepted() == 2);
    const auto attempts = at(record, "/attempts");
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[0].at("n") == 1);
    CHECK(attempts[0].at("retry").at("decision") == "retry");
    CHECK_FALSE(reason_of(attempts[0]).empty());
    REQUIRE(attempts[0].at("error").is_object());
    CHECK(attempts[0].at("error").at("peer") == "upstream");
    // The reset can land before rtproxy's connect completes (then it is a connect error and
    // `conn` is null) or after (a read or write error on a fresh connection): both are
    // retryable for a GET, and neither is a reused connection.
    if (attempts[0].at("conn").is_object()) CHECK(attempts[0].at("conn").at("reused") == false);
    CHECK(attempts[0].at("status").is_null());
    CHECK(attempts[1].at("n") == 2);
    CHECK(attempts[1].at("backoff_ms") == 100);  // --retry-backoff default
    CHECK(attempts[1].at("status") == 200);
    CHECK(attempts[1].at("error").is_null());
    CHECK(attempts[1].at("retry").at("decision") == "not_needed");
    CHECK(attempts[1].at("retry").at("reason") == "upstream answered 200");
    CHECK(at(record, "/response/source") == "upstream");
    CHECK(at(record, "/response/status") == 200);
    CHECK(at(record, "/outcome") == "ok");
}

TEST_CASE("a POST is not retried after the upstream read it and reset") {
    auto got = post_to_an_upstream_that_resets_after_reading({"--retries", "3"});
    INFO(show(got.record));
    CHECK(got.response.status == 502);
    CHECK(got.connections == 1);
    CHECK(got.upstream_saw.size() == 1);
    const auto attempts = at(got.record, "/attempts");
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0].at("retry").at("decision") == "give_up");
    CHECK(icontains(reason_of(attempts[0]), "not idempotent"));
    CHECK(attempts[0].at("request_body_bytes_written") == 7);
    CHECK(at(got.record, "/response/source") == "proxy");
    CHECK(at(got.record, "/response/status") == 502);
}

TEST_CASE("with --retry-all-methods a POST is retried after the upstream read it and reset, its body replayed") {
    auto got = post_to_an_upstream_that_resets_after_reading({"--retries", "1", "--retry-all-methods"});
    INFO(show(got.record));
    CHECK(got.response.status == 201);
    CHECK(got.response.body == "created item=42");
    CHECK(got.connections == 2);
    REQUIRE(got.upstream_saw.size() == 2);
    CHECK(got.upstream_saw[0].request.body == "item=42");
    CHECK(got.upstream_saw[1].request.body == "item=42");
    CHECK(got.upstream_saw[1].connection == 1);
    const auto attempts = at(got.record, "/attempts");
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[0].at("retry").at("decision") == "retry");
    CHECK(attempts[0].at("body_source") == "stream");
    CHECK(attempts[1].at("body_source") == "buffer");
    CHECK(attempts[1].at("request_body_bytes_written") == 7);
    CHECK(attempts[1].at("status") == 201);
    CHECK(at(got.record, "/response/source") == "upstream");
}

TEST_CASE("a POST with an Idempotency-Key is retried after the upstream read it and reset") {
    auto got = post_to_an_upstream_that_resets_after_reading({"--retries", "1"}, "Idempotency-Key: order-42\r\n");
    INFO(show(got.record));
    CHECK(got.response.status == 201);
    CHECK(got.response.body == "created item=42");
    CHECK(got.connections == 2);
    REQUIRE(got.upstream_saw.size() == 2);
    CHECK(got.upstream_saw[1].request.head.field("Idempotency-Key") == "order-42");
    const auto attempts = at(got.record, "/attempts");
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[0].at("retry").at("decision") == "retry");
    CHECK_FALSE(reason_of(attempts[0]).empty());
    CHECK(attempts[1].at("body_source") == "buffer");
}

TEST_CASE("an upstream answer listed in --retry-on-status is discarded and the request retried") {
    std::atomic<int> answered{0};
    ScriptedUpstream upstream(serve([&](const ReceivedRequest&) {
        return ++answered == 1 ? http_response(503, "busy, come back", {{"Retry-After", "1"}})
                               : http_response(200, "fine now");
    }));
    ProxyProcess proxy(upstream.port(), {"--retries", "1", "--retry-on-status", "503"});
    auto result = curl({"-w", "\n%{http_code}", url(proxy.port(), "/busy")});
    INFO(result.describe());
    CHECK(result.exit_code == 0);
    CHECK(result.out == "fine now\n200");  // nothing of the 503 reached the client

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(answered == 2);
    const auto attempts = at(record, "/attempts");
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[0].at("status") == 503);
    CHECK(attempts[0].at("retry").at("decision") == "retry");
    CHECK(icontains(reason_of(attempts[0]), "503"));
    CHECK(attempts[1].at("status") == 200);
    CHECK(attempts[1].at("retry").at("decision") == "not_needed");
    CHECK(at(record, "/response/status") == 200);
    CHECK(at(record, "/response/source") == "upstream");
    CHECK(at(record, "/response/body_bytes") == 8);
    CHECK(at(record, "/outcome") == "ok");
}

TEST_CASE("when retries run out on a --retry-on-status answer the last answer is relayed as it came") {
    std::atomic<int> answered{0};
    ScriptedUpstream upstream(serve([&](const ReceivedRequest&) {
        ++answered;
        return http_response(503, "still busy", {{"Retry-After", "7"}});
    }));
    ProxyProcess proxy(upstream.port(), {"--retries", "1", "--retry-on-status", "502,503,504"});
    RawClient client(proxy.port());
    client.send(get("/busy"));
    auto response = client.read_response();
    CHECK(response.status == 503);
    CHECK(response.body == "still busy");  // the upstream's answer, never a bare proxy error
    CHECK(response.header("Retry-After") == "7");
    CHECK(response.complete);

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(answered == 2);
    const auto attempts = at(record, "/attempts");
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[0].at("status") == 503);
    CHECK(attempts[0].at("retry").at("decision") == "retry");
    CHECK(attempts[1].at("status") == 503);
    CHECK(attempts[1].at("retry").at("decision") == "give_up");
    CHECK_FALSE(reason_of(attempts[1]).empty());
    CHECK(at(record, "/response/source") == "upstream");
    CHECK(at(record, "/response/status") == 503);
    CHECK(at(record, "/response/body_bytes") == 10);
}

TEST_CASE("an upstream status not listed in --retry-on-status is relayed without a retry") {
    std::atomic<int> answered{0};
    ScriptedUpstream upstream(serve([&](const ReceivedRequest&) {
        ++answered;
        return http_response(500, "broken");
    }));
    ProxyProcess proxy(upstream.port(), {"--retries", "2", "--retry-on-status", "503"});
    RawClient client(proxy.port());
    client.send(get("/"));
    auto response = client.read_response();
    CHECK(response.status == 500);
    CHECK(response.body == "broken");

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(answered == 1);
    const auto attempts = at(record, "/attempts");
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0].at("retry").at("decision") == "not_needed");
}

TEST_CASE("a pooled connection the upstream closed while idle is retried once even with --retries 0") {
    Gate upstream_closed_first_connection;
    ScriptedUpstream upstream(first_connection(
        [&](UpstreamConnection& c) {
            c.read_request();
            c.write(http_response(200, "first"));  // HTTP/1.1 with a length: keep-alive
            c.close();
            upstream_closed_first_connection.open();
        },
        respond_with(http_response(200, "second"))));
    ProxyProcess proxy(upstream.port());  // --retries 0 (the default)
    RawClient client(proxy.port());
    client.send(get("/1"));
    auto first = client.read_response();
    CHECK(first.body == "first");
    REQUIRE(upstream_closed_first_connection.wait(Millis{10000}));

    client.send(get("/2"));  // same client connection: rtproxy reuses its pooled upstream connection
    auto second = client.read_response();
    CHECK(second.status == 200);
    CHECK(second.body == "second");

    auto records = by_id(proxy.wait_for_round_trips(2));
    INFO(show(records));
    CHECK(upstream.connections_accepted() == 2);
    const auto& record = records.at(1);
    CHECK(at(record, "/outcome") == "ok");
    const auto attempts = at(record, "/attempts");
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[0].at("conn").at("reused") == true);
    CHECK(attempts[0].at("retry").at("decision") == "retry");
    const auto reason = reason_of(attempts[0]);
    CHECK((icontains(reason, "pooled") || icontains(reason, "idle") || icontains(reason, "keep-alive")));
    CHECK(icontains(reason, "closed"));
    CHECK(attempts[1].at("conn").at("reused") == false);
    CHECK(attempts[1].at("status") == 200);
    CHECK(attempts[1].at("retry").at("decision") == "not_needed");
}

TEST_CASE("nothing is retried once a response byte reached the client") {
    Gate client_has_first_bytes;
    ScriptedUpstream upstream([&](UpstreamConnection& c) {
        c.read_head();
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(5000, 'x'));
        client_has_first_bytes.wait(Millis{10000});
        c.reset();
    });
    ProxyProcess proxy(upstream.port(), {"--retries", "3", "--retry-on-status", "502"});
    RawClient client(proxy.port());
    client.send(get("/big"));
    auto head = parse_head(client.read_until("\r\n\r\n"));
    CHECK(head.start_line == "HTTP/1.1 200 OK");
    auto first = client.read_exact(5000);
    client_has_first_bytes.open();
    auto rest = client.read_all_until_close();
    // A cut response, never a second one spliced after it.
    CHECK(first.size() + rest.bytes.size() < 100000);
    CHECK(rest.bytes.find("HTTP/1.1") == std::string::npos);

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(upstream.connections_accepted() == 1);
    const auto attempts = at(record, "/attempts");
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0].at("retry").at("decision") == "give_up");
    CHECK_FALSE(reason_of(attempts[0]).empty());
    CHECK(at(record, "/response/source") == "upstream");
    CHECK(at(record, "/response/status") == 200);
    CHECK(at(record, "/outcome") == "upstream_error");
}

TEST_CASE("a POST on a pooled connection the upstream closed while idle is retried with its body from the buffer") {
    Gate upstream_closed_first_connection;
    RequestLog log;
    ScriptedUpstream upstream(first_connection(
        [&](UpstreamConnection& c) {
            c.read_request();
            c.write(http_response(200, "first"));
            c.close();
            upstream_closed_first_connection.open();
        },
        serve_logged(log, [](const ReceivedRequest& request) { return http_response(200, "got " + request.body); })));
    ProxyProcess proxy(upstream.port());  // --retries 0: this retry is free
    RawClient client(proxy.port());
    client.send(get("/1"));
    CHECK(client.read_response().body == "first");
    REQUIRE(upstream_closed_first_connection.wait(Millis{10000}));

    client.send(post_with_length("/2", "payload"));
    auto second = client.read_response();
    CHECK(second.status == 200);
    CHECK(second.body == "got payload");

    auto records = by_id(proxy.wait_for_round_trips(2));
    INFO(show(records));
    const auto& record = records.at(1);
    const auto attempts = at(record, "/attempts");
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[0].at("conn").at("reused") == true);
    CHECK(attempts[0].at("retry").at("decision") == "retry");
    CHECK(attempts[1].at("body_source") == "buffer");
    CHECK(attempts[1].at("request_body_bytes_written") == 7);
    const auto entries = log.entries();
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].request.body == "payload");
}

TEST_CASE("nothing is retried once an interim 1xx response reached the client") {
    Gate client_has_interim;
    ScriptedUpstream upstream([&](UpstreamConnection& c) {
        c.read_head();
        c.write("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n");
        client_has_interim.wait(Millis{10000});
        c.reset();
    });
    ProxyProcess proxy(upstream.port(), {"--retries", "3"});
    RawClient client(proxy.port());
    client.send(get("/hints"));
    auto interim = client.read_response();
    CHECK(interim.status == 103);
    client_has_interim.open();
    // A 1xx is interim: the client still gets a final answer, made by rtproxy, not a retry's.
    auto final_response = client.read_response();
    CHECK(final_response.status == 502);

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(upstream.connections_accepted() == 1);
    const auto attempts = at(record, "/attempts");
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0].at("retry").at("decision") == "give_up");
    CHECK(at(record, "/interim").size() == 1);
    CHECK(at(record, "/outcome") == "upstream_error");
    CHECK(at(record, "/response/source") == "proxy");
    CHECK(at(record, "/response/status") == 502);
}

TEST_CASE("a --retry-on-status answer after an interim 1xx is relayed as it came, not retried or replaced") {
    ScriptedUpstream upstream([&](UpstreamConnection& c) {
        c.read_head();
        c.write("HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n");
        c.write("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nContent-Length: 4\r\n\r\nbusy");
        c.wait_for_close();
    });
    ProxyProcess proxy(upstream.port(), {"--retries", "3", "--retry-on-status", "503"});
    RawClient client(proxy.port());
    client.send(get("/hints"));
    CHECK(client.read_response().status == 103);
    auto final_response = client.read_response();
    CHECK(final_response.status == 503);  // the upstream's answer, not a 502 of rtproxy's
    CHECK(final_response.body == "busy");
    CHECK(final_response.header("Retry-After") == "7");

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(upstream.connections_accepted() == 1);
    const auto attempts = at(record, "/attempts");
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0].at("status") == 503);
    CHECK(attempts[0].at("retry").at("decision") == "give_up");
    CHECK(reason_of(attempts[0]).find("1xx already relayed") != std::string::npos);
    CHECK(at(record, "/interim").size() == 1);
    CHECK(at(record, "/response/source") == "upstream");
    CHECK(at(record, "/response/status") == 503);
    CHECK(at(record, "/response/body_bytes") == 4);
}
