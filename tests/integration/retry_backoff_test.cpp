// When retries happen (ROUND_TRIP_NOTES §3): connect failures are always retryable; the
// wait before attempt k+1 is --retry-backoff·2^(k-1); --retries and --try-duration stop at
// the first reached; a client that goes away ends the wait and the round trip.
#include <chrono>

#include "test_support.hpp"

using namespace rtproxy::integration;

namespace {

using Clock = std::chrono::steady_clock;

double started(const json& attempt) { return attempt.at("started_ms").get<double>(); }

}  // namespace

TEST_CASE("an upstream that refuses connections is tried --retries more times with a doubling backoff, then 502") {
    ProxyProcess proxy(refusing_port(), {"--retries", "2"});
    auto result = curl({"-o", "/dev/null", "-w", "%{http_code}", url(proxy.port(), "/")});
    INFO(result.describe());
    CHECK(result.out == "502");

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    const auto attempts = at(record, "/attempts");
    REQUIRE(attempts.size() == 3);
    const std::vector<double> expected_backoff{0, 100, 200};
    for (std::size_t i = 0; i < attempts.size(); ++i) {
        INFO("attempt " << i + 1);
        CHECK(attempts[i].at("n") == i + 1);
        CHECK(attempts[i].at("backoff_ms").get<double>() == expected_backoff[i]);
        const auto& error = attempts[i].at("error");
        REQUIRE(error.is_object());
        CHECK(error.at("op") == "connect");
        CHECK(error.at("peer") == "upstream");
        CHECK(error.at("kind") == "refused");
        CHECK(attempts[i].at("status").is_null());
        CHECK(attempts[i].at("request_body_bytes_written") == 0);
        CHECK(icontains(reason_of(attempts[i]), "refused"));
    }
    CHECK(attempts[0].at("retry").at("decision") == "retry");
    CHECK(attempts[1].at("retry").at("decision") == "retry");
    CHECK(attempts[2].at("retry").at("decision") == "give_up");
    // The waits really happened (90%: timer granularity), and nothing slept far longer.
    CHECK(started(attempts[1]) - started(attempts[0]) >= 90);
    CHECK(started(attempts[2]) - started(attempts[1]) >= 180);
    CHECK(started(attempts[2]) - started(attempts[0]) < 300 + 2000);
    CHECK(at(record, "/response/status") == 502);
    CHECK(at(record, "/response/source") == "proxy");
    CHECK(at(record, "/outcome") == "upstream_error");
}

TEST_CASE("retrying stops at --try-duration before --retries runs out and the reason names the try budget") {
    ProxyProcess proxy(refusing_port(), {"--retries", "10", "--retry-backoff", "100ms", "--try-duration", "300ms"});
    RawClient client(proxy.port());
    client.send(get("/"));
    auto response = client.read_response();
    CHECK(response.status == 502);

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    const auto attempts = at(record, "/attempts");
    // 100 ms + 200 ms of waits fill the 300 ms budget long before 10 retries (which would
    // wait 100+200+400+800+1600+2000·5 ms).
    CHECK(attempts.size() >= 2);
    CHECK(attempts.size() <= 4);
    const auto& last = attempts.back();
    CHECK(last.at("retry").at("decision") == "give_up");
    CHECK(icontains(reason_of(last), "try budget"));
    CHECK(started(last) < 300 + 400);  // no attempt starts after the budget (slack: a busy machine)
    CHECK(at(record, "/duration_ms").get<double>() < 2000);
    CHECK(at(record, "/response/source") == "proxy");
}

TEST_CASE("a client that goes away during the backoff ends the wait and no further attempt is made") {
    // Waits of 2, 4, 8, 10, 10 s: the record must arrive long before the first one ends.
    ProxyProcess proxy(refusing_port(),
                       {"--retries", "5", "--retry-backoff", "2s", "--retry-backoff-max", "10s"});
    RawClient client(proxy.port());
    client.send(get("/"));
    client.close();
    const auto closed_at = Clock::now();

    auto record = proxy.wait_for_round_trips(1, Millis{1500}).at(0);
    const auto waited = std::chrono::duration_cast<Millis>(Clock::now() - closed_at);
    INFO(show(record));
    INFO("record arrived " << waited.count() << " ms after the client closed");
    CHECK(waited < Millis{1500});
    const auto attempts = at(record, "/attempts");
    REQUIRE_FALSE(attempts.empty());
    CHECK(attempts.size() < 6);
    CHECK(attempts.size() == 1);  // the first wait (2 s) was cut short
    CHECK(attempts.back().at("retry").at("decision") == "give_up");
    auto client_error = find_error(record, "", "client");
    REQUIRE(client_error);
    CHECK(client_error->at("op") == "read");
    CHECK(at(record, "/outcome") == "client_abort");
    CHECK(at(record, "/duration_ms").get<double>() < 1500);
}

TEST_CASE("the backoff doubles only up to --retry-backoff-max") {
    ProxyProcess proxy(refusing_port(),
                       {"--retries", "3", "--retry-backoff", "100ms", "--retry-backoff-max", "150ms"});
    RawClient client(proxy.port());
    client.send(get("/"));
    CHECK(client.read_response().status == 502);

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    const auto attempts = at(record, "/attempts");
    REQUIRE(attempts.size() == 4);
    std::vector<double> backoff;
    for (const auto& attempt : attempts) backoff.push_back(attempt.at("backoff_ms").get<double>());
    CHECK(backoff == std::vector<double>{0, 100, 150, 150});
    CHECK(started(attempts[3]) - started(attempts[2]) >= 135);
}

TEST_CASE("with --retry-jitter each wait is at most the doubling backoff") {
    ProxyProcess proxy(refusing_port(), {"--retries", "3", "--retry-backoff", "100ms", "--retry-jitter"});
    RawClient client(proxy.port());
    client.send(get("/"));
    CHECK(client.read_response().status == 502);

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    const auto attempts = at(record, "/attempts");
    REQUIRE(attempts.size() == 4);
    CHECK(attempts[0].at("backoff_ms") == 0);
    for (std::size_t i = 1; i < attempts.size(); ++i) {
        INFO("attempt " << i + 1);
        const double ceiling = 100.0 * (1 << (i - 1));
        const double waited = attempts[i].at("backoff_ms").get<double>();
        CHECK(waited >= 0);
        CHECK(waited <= ceiling);
        CHECK(started(attempts[i]) - started(attempts[i - 1]) >= 0.9 * waited);
    }
}
