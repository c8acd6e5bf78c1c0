// Request body replay (ROUND_TRIP_NOTES §3): the body is teed into a buffer up to
// --buffer-body while it streams to the first attempt; a retry sends the buffer
// (`body_source: "buffer"`) with the same framing, byte for byte. A body over the limit
// cannot be replayed and the record says so in words.
#include "harness/reset_after_read.hpp"
#include "harness/retry_requests.hpp"
#include "harness/retry_scripts.hpp"
#include "test_support.hpp"

using namespace rtproxy::integration;

namespace {

// The upstream's answer names what it received, so the client sees it too.
std::string describe_body(const std::string& body) {
    return std::to_string(body.size()) + " bytes, fnv1a " + std::to_string(fnv1a(body));
}

using Replay = ResetAfterReadRun;

// Sends `request` (carrying a body) through rtproxy to an upstream whose first connection
// reads the whole request and resets, and whose later connections describe what they got.
Replay send_to_an_upstream_that_resets_after_reading(const std::string& request, std::vector<std::string> args) {
    return through_an_upstream_that_resets_after_reading(
        request, std::move(args),
        [](const ReceivedRequest& received) { return http_response(200, describe_body(received.body)); });
}

void check_replayed_from_buffer(const Replay& replay, const std::string& body) {
    INFO(show(replay.record));
    CHECK(replay.response.status == 200);
    CHECK(replay.response.body == describe_body(body));
    REQUIRE(replay.upstream_saw.size() == 2);
    for (const auto& seen : replay.upstream_saw) {
        INFO("upstream connection " << seen.connection);
        CHECK(seen.request.body.size() == body.size());
        CHECK(fnv1a(seen.request.body) == fnv1a(body));
        CHECK((seen.request.body == body));  // byte for byte, without printing 500 KiB
    }
    const auto attempts = at(replay.record, "/attempts");
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[0].at("body_source") == "stream");
    CHECK(attempts[0].at("request_body_bytes_written") == body.size());
    CHECK(attempts[0].at("retry").at("decision") == "retry");
    CHECK(attempts[1].at("body_source") == "buffer");
    CHECK(attempts[1].at("request_body_bytes_written") == body.size());
    CHECK(attempts[1].at("status") == 200);
    CHECK(at(replay.record, "/request/body_bytes") == body.size());
    CHECK(at(replay.record, "/body_buffer/buffered") == true);
    CHECK(at(replay.record, "/body_buffer/replayable") == true);
    CHECK(at(replay.record, "/body_buffer/bytes") == body.size());
    CHECK(at(replay.record, "/body_buffer/limit") == 1024 * 1024);
}

}  // namespace

TEST_CASE("a retried POST with a Content-Length body replays the same 500 KiB from the buffer") {
    const auto body = pattern_bytes(512000, 7);
    auto replay = send_to_an_upstream_that_resets_after_reading(post_with_length("/upload", body),
                                                                {"--retries", "1", "--retry-all-methods"});
    check_replayed_from_buffer(replay, body);
    REQUIRE(replay.upstream_saw.size() == 2);
    // Same framing on the replay as on the first attempt.
    CHECK(replay.upstream_saw[1].request.head.field("Content-Length") == "512000");
    CHECK_FALSE(replay.upstream_saw[1].request.head.field("Transfer-Encoding"));
}

TEST_CASE("a retried POST with a chunked body replays the same 500 KiB from the buffer, chunked again") {
    const auto body = pattern_bytes(512000, 11);
    auto replay = send_to_an_upstream_that_resets_after_reading(post_chunked("/upload", body, 10000),
                                                                {"--retries", "1", "--retry-all-methods"});
    check_replayed_from_buffer(replay, body);
    REQUIRE(replay.upstream_saw.size() == 2);
    auto te = replay.upstream_saw[1].request.head.field("Transfer-Encoding");
    REQUIRE(te);
    CHECK(icontains(*te, "chunked"));
    CHECK_FALSE(replay.upstream_saw[1].request.head.field("Content-Length"));
    CHECK(at(replay.record, "/request/body_framing") == "chunked");
}

TEST_CASE("a body larger than --buffer-body is not replayed and the reason says so") {
    const auto body = pattern_bytes(200 * 1024, 3);
    const std::vector<std::string> args{"--retries", "2", "--retry-all-methods", "--buffer-body", "64KiB"};
    auto framed = GENERATE(as<std::string>{}, "length", "chunked");
    DYNAMIC_SECTION("framing " << framed) {
        auto replay = send_to_an_upstream_that_resets_after_reading(
            framed == "length" ? post_with_length("/upload", body) : post_chunked("/upload", body), args);
        INFO(show(replay.record));
        CHECK(replay.response.status == 502);
        REQUIRE(replay.upstream_saw.size() == 1);
        CHECK(fnv1a(replay.upstream_saw[0].request.body) == fnv1a(body));  // streamed whole all the same
        const auto attempts = at(replay.record, "/attempts");
        REQUIRE(attempts.size() == 1);
        CHECK(attempts[0].at("body_source") == "stream");
        CHECK(attempts[0].at("request_body_bytes_written") == body.size());
        CHECK(attempts[0].at("retry").at("decision") == "give_up");
        const auto reason = attempts[0].at("retry").at("reason").get<std::string>();
        CHECK(reason.find("body larger than --buffer-body (64 KiB), cannot replay") != std::string::npos);
        CHECK(at(replay.record, "/body_buffer/replayable") == false);
        CHECK(at(replay.record, "/body_buffer/limit") == 64 * 1024);
        CHECK(at(replay.record, "/response/source") == "proxy");
    }
}

TEST_CASE("a body is never replayed with --buffer-body 0, which turns buffering off") {
    const std::string body = "small enough for any buffer";
    auto replay = send_to_an_upstream_that_resets_after_reading(
        post_with_length("/upload", body), {"--retries", "2", "--retry-all-methods", "--buffer-body", "0"});
    INFO(show(replay.record));
    CHECK(replay.response.status == 502);
    CHECK(replay.upstream_saw.size() == 1);
    const auto attempts = at(replay.record, "/attempts");
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0].at("retry").at("decision") == "give_up");
    CHECK(attempts[0].at("retry").at("reason").get<std::string>().find("--buffer-body") != std::string::npos);
    CHECK(at(replay.record, "/body_buffer/buffered") == false);
    CHECK(at(replay.record, "/body_buffer/replayable") == false);
    CHECK(at(replay.record, "/body_buffer/limit") == 0);
}

TEST_CASE("a body that does not fit in --buffer-total is not replayed and the reason names --buffer-total") {
    const auto body = pattern_bytes(100 * 1024, 5);  // fits --buffer-body (1 MiB), not --buffer-total
    auto replay = send_to_an_upstream_that_resets_after_reading(
        post_with_length("/upload", body), {"--retries", "2", "--retry-all-methods", "--buffer-total", "64KiB"});
    INFO(show(replay.record));
    CHECK(replay.response.status == 502);
    CHECK(replay.upstream_saw.size() == 1);
    const auto attempts = at(replay.record, "/attempts");
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0].at("retry").at("decision") == "give_up");
    CHECK(attempts[0].at("retry").at("reason").get<std::string>().find("--buffer-total") != std::string::npos);
    CHECK(at(replay.record, "/body_buffer/replayable") == false);
}

TEST_CASE("a finished round trip gives its --buffer-total share back even while its connection stays open") {
    // A keeps its connection open after its upload; B's body must still be buffered. The
    // share of --buffer-total belongs to the round trip, not to the idle connection.
    const auto body = pattern_bytes(40 * 1024, 6);  // one fits in 64 KiB, two do not
    RequestLog log;
    ScriptedUpstream upstream(serve_logged(
        log, [](const ReceivedRequest& received) { return http_response(200, describe_body(received.body)); }));
    std::vector<json> records;
    {
        ProxyProcess proxy(upstream.port(), {"--buffer-total", "64KiB"});
        RawClient a(proxy.port());
        a.send(post_with_length("/upload", body));
        CHECK(a.read_response().status == 200);
        REQUIRE(proxy.wait_for_round_trips(1).size() == 1);
        RawClient b(proxy.port());  // while `a` stays open and idle
        b.send(post_with_length("/upload", body));
        CHECK(b.read_response().status == 200);
        records = proxy.wait_for_round_trips(2);
    }
    upstream.stop();
    REQUIRE(records.size() == 2);
    for (const auto& record : records) {
        INFO(show(record));
        CHECK(at(record, "/body_buffer/buffered") == true);
        CHECK(at(record, "/body_buffer/replayable") == true);
    }
}
