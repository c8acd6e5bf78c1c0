// What is retried, when, and the words that say why (ROUND_TRIP_NOTES §3).
#include <catch2/catch.hpp>

#include <set>
#include <vector>

#include "proxy/retry_policy.hpp"

using rtproxy::proxy::AttemptFacts;
using rtproxy::proxy::AttemptFailure;
using rtproxy::proxy::format_wait;
using rtproxy::proxy::RetryPolicy;
using rtproxy::proxy::RetrySettings;
using Decision = rtproxy::record::RetryDecision::Decision;
using std::chrono::milliseconds;

namespace {

RetrySettings with_retries(unsigned n) {
    RetrySettings settings;
    settings.retries = n;
    return settings;
}

AttemptFacts failed(AttemptFailure failure, std::string summary, std::string method = "GET") {
    AttemptFacts facts;
    facts.failure = failure;
    facts.failure_summary = std::move(summary);
    facts.method = std::move(method);
    return facts;
}

AttemptFacts answered(int status) {
    AttemptFacts facts;
    facts.failure = AttemptFailure::retryable_status;
    facts.failure_summary = "upstream answered " + std::to_string(status);
    facts.status = status;
    facts.method = "GET";
    facts.request_bytes_written = true;
    return facts;
}

AttemptFacts after_write(std::string method) {
    auto facts = failed(AttemptFailure::failed_after_write, "upstream reset before responding", std::move(method));
    facts.request_bytes_written = true;
    return facts;
}

}  // namespace

TEST_CASE("a relayed response needs no retry") {
    AttemptFacts facts;
    facts.status = 200;
    const auto verdict = RetryPolicy(with_retries(3)).decide(facts, 0);
    CHECK(verdict.decision == Decision::not_needed);
    CHECK(verdict.reason == "upstream answered 200");
    CHECK(verdict.backoff == milliseconds{0});
}

TEST_CASE("a connect failure is retried with the backoff, saying the request was not sent") {
    const RetryPolicy policy(with_retries(3));
    const auto verdict = policy.decide(failed(AttemptFailure::connect_failed, "connect refused", "POST"), 0);
    CHECK(verdict.decision == Decision::retry);
    CHECK(verdict.reason == "connect refused; request not sent; retrying in 100 ms");
    CHECK(verdict.backoff == milliseconds{100});
    CHECK(verdict.counts_against_retries);

    const auto second = policy.decide(failed(AttemptFailure::connect_failed, "connect refused", "POST"), 1);
    CHECK(second.reason == "connect refused; request not sent; retrying in 200 ms");
    CHECK(second.backoff == milliseconds{200});
}

TEST_CASE("resolve and TLS failures are retried for any method, like connect failures") {
    const RetryPolicy policy(with_retries(1));
    for (auto failure : {AttemptFailure::resolve_failed, AttemptFailure::tls_failed}) {
        const auto verdict = policy.decide(failed(failure, "it failed", "PATCH"), 0);
        CHECK(verdict.decision == Decision::retry);
        CHECK(verdict.reason == "it failed; request not sent; retrying in 100 ms");
    }
}

TEST_CASE("a failure without a summary still says what failed") {
    const RetryPolicy policy(with_retries(1));
    CHECK(policy.decide(failed(AttemptFailure::tls_failed, ""), 0).reason ==
          "TLS handshake with the upstream failed; request not sent; retrying in 100 ms");
    CHECK(policy.decide(failed(AttemptFailure::resolve_failed, ""), 0).reason ==
          "upstream name did not resolve; request not sent; retrying in 100 ms");
}

TEST_CASE("retries stop when --retries are used up") {
    const auto verdict = RetryPolicy(with_retries(3)).decide(failed(AttemptFailure::connect_failed, "connect refused"), 3);
    CHECK(verdict.decision == Decision::give_up);
    CHECK(verdict.reason == "connect refused; request not sent; retries exhausted (3 of 3)");
}

TEST_CASE("with --retries 0 (the default) a connect failure is not retried") {
    const auto verdict = RetryPolicy(RetrySettings{}).decide(failed(AttemptFailure::connect_failed, "connect refused"), 0);
    CHECK(verdict.decision == Decision::give_up);
    CHECK(verdict.reason == "connect refused; request not sent; not retried (--retries 0)");
}

TEST_CASE("a stale pooled connection gets one free, immediate retry, even with --retries 0") {
    const RetryPolicy policy(RetrySettings{});
    const auto verdict = policy.decide(failed(AttemptFailure::stale_pooled_connection, "upstream closed", "POST"), 0);
    CHECK(verdict.decision == Decision::retry);
    CHECK(verdict.reason ==
          "pooled connection was closed by the upstream before it read the request; retrying on a new connection");
    CHECK(verdict.backoff == milliseconds{0});
    CHECK_FALSE(verdict.counts_against_retries);
}

TEST_CASE("the free stale-connection retry does not use up --retries") {
    // Two retries already counted; the free one is still there.
    const auto verdict = RetryPolicy(with_retries(2)).decide(failed(AttemptFailure::stale_pooled_connection, ""), 2);
    CHECK(verdict.decision == Decision::retry);
    CHECK_FALSE(verdict.counts_against_retries);
}

TEST_CASE("a second stale connection counts like any retry") {
    auto facts = failed(AttemptFailure::stale_pooled_connection, "");
    facts.stale_retry_used = true;

    const auto none_left = RetryPolicy(RetrySettings{}).decide(facts, 0);
    CHECK(none_left.decision == Decision::give_up);
    CHECK(none_left.reason ==
          "pooled connection was closed by the upstream before it read the request; not retried (--retries 0)");

    const auto one_left = RetryPolicy(with_retries(1)).decide(facts, 0);
    CHECK(one_left.decision == Decision::retry);
    CHECK(one_left.counts_against_retries);
    CHECK(one_left.backoff == milliseconds{100});
}

TEST_CASE("a stale connection whose body cannot be replayed is not retried") {
    auto facts = failed(AttemptFailure::stale_pooled_connection, "", "PUT");
    facts.body_replayable = false;
    facts.not_replayable_reason = "body larger than --buffer-body (1 MiB), cannot replay";
    const auto verdict = RetryPolicy(with_retries(3)).decide(facts, 0);
    CHECK(verdict.decision == Decision::give_up);
    CHECK(verdict.reason == "pooled connection was closed by the upstream before it read the request; "
                            "body larger than --buffer-body (1 MiB), cannot replay");
}

TEST_CASE("a POST is not retried after its body was written") {
    const auto verdict = RetryPolicy(with_retries(3)).decide(after_write("POST"), 0);
    CHECK(verdict.decision == Decision::give_up);
    CHECK(verdict.reason == "upstream reset before responding; POST is not idempotent and its body was written; "
                            "not retried");
}

TEST_CASE("a bodyless POST refused after writing says the request was written") {
    auto facts = after_write("POST");
    facts.has_body = false;
    CHECK(RetryPolicy(with_retries(3)).decide(facts, 0).reason ==
          "upstream reset before responding; POST is not idempotent and the request was written; not retried");
}

TEST_CASE("idempotent methods are retried after the request was written") {
    const RetryPolicy policy(with_retries(3));
    for (const char* method : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}) {
        const auto verdict = policy.decide(after_write(method), 0);
        CHECK(verdict.decision == Decision::retry);
        CHECK(verdict.reason ==
              std::string("upstream reset before responding; ") + method + " is idempotent; retrying in 100 ms");
    }
    CHECK(policy.decide(after_write("PATCH"), 0).decision == Decision::give_up);
}

TEST_CASE("an Idempotency-Key makes a POST retryable after writing") {
    auto facts = after_write("POST");
    facts.has_idempotency_key = true;
    const auto verdict = RetryPolicy(with_retries(1)).decide(facts, 0);
    CHECK(verdict.decision == Decision::retry);
    CHECK(verdict.reason == "upstream reset before responding; POST has an Idempotency-Key; retrying in 100 ms");
}

TEST_CASE("option --retry-all-methods retries a POST after writing") {
    auto settings = with_retries(1);
    settings.retry_all_methods = true;
    const auto verdict = RetryPolicy(settings).decide(after_write("POST"), 0);
    CHECK(verdict.decision == Decision::retry);
    CHECK(verdict.reason == "upstream reset before responding; POST retried under --retry-all-methods; retrying in 100 ms");
}

TEST_CASE("a body that cannot be replayed is not retried, even for an idempotent method") {
    auto facts = after_write("PUT");
    facts.body_replayable = false;
    facts.not_replayable_reason = "body larger than --buffer-body (1 MiB), cannot replay";
    const auto verdict = RetryPolicy(with_retries(3)).decide(facts, 0);
    CHECK(verdict.decision == Decision::give_up);
    CHECK(verdict.reason == "upstream reset before responding; body larger than --buffer-body (1 MiB), cannot replay");
}

TEST_CASE("a failure after writing is bounded by --retries like any other") {
    const auto verdict = RetryPolicy(with_retries(2)).decide(after_write("GET"), 2);
    CHECK(verdict.decision == Decision::give_up);
    CHECK(verdict.reason == "upstream reset before responding; GET is idempotent; retries exhausted (2 of 2)");
}

TEST_CASE("a status listed in --retry-on-status is retried while retries remain") {
    auto settings = with_retries(2);
    settings.retry_on_status = {502, 503, 504};
    const RetryPolicy policy(settings);

    const auto verdict = policy.decide(answered(503), 0);
    CHECK(verdict.decision == Decision::retry);
    CHECK(verdict.reason == "upstream answered 503, listed in --retry-on-status; retrying in 100 ms");

    const auto last = policy.decide(answered(503), 2);
    CHECK(last.decision == Decision::give_up);
    CHECK(last.reason == "upstream answered 503; retries exhausted (2 of 2), relaying it");
}

TEST_CASE("a retryable status whose body cannot be replayed is relayed") {
    auto facts = answered(502);
    facts.body_replayable = false;
    facts.not_replayable_reason = "body larger than --buffer-body (1 MiB), cannot replay";
    const auto verdict = RetryPolicy(with_retries(2)).decide(facts, 0);
    CHECK(verdict.decision == Decision::give_up);
    CHECK(verdict.reason == "upstream answered 502; body larger than --buffer-body (1 MiB), cannot replay, relaying it");
}

TEST_CASE("a retryable status after relayed 1xx responses is relayed, not retried") {
    auto facts = answered(503);
    facts.interim_relayed = true;
    const auto verdict = RetryPolicy(with_retries(2)).decide(facts, 0);
    CHECK(verdict.decision == Decision::give_up);
    CHECK(verdict.reason == "upstream answered 503; 1xx already relayed to the client, relaying it");
}

TEST_CASE("nothing is retried once response bytes reached the client") {
    auto facts = failed(AttemptFailure::response_started, "upstream reset mid-body");
    const auto verdict = RetryPolicy(with_retries(5)).decide(facts, 0);
    CHECK(verdict.decision == Decision::give_up);
    CHECK(verdict.reason == "upstream reset mid-body; response already started to the client; cannot retry");

    facts.failure_summary.clear();
    CHECK(RetryPolicy(with_retries(5)).decide(facts, 0).reason ==
          "response already started to the client; cannot retry");
}

TEST_CASE("a client that went away is not retried for") {
    const auto verdict = RetryPolicy(with_retries(5)).decide(failed(AttemptFailure::client_gone, ""), 0);
    CHECK(verdict.decision == Decision::give_up);
    CHECK(verdict.reason == "client went away");
}

TEST_CASE("the try budget stops retries once spent") {
    auto settings = with_retries(10);
    settings.try_duration = milliseconds{5000};
    const RetryPolicy policy(settings);

    auto facts = failed(AttemptFailure::connect_failed, "connect refused");
    facts.elapsed = milliseconds{5000};
    const auto spent = policy.decide(facts, 1);
    CHECK(spent.decision == Decision::give_up);
    CHECK(spent.reason == "connect refused; request not sent; try budget 5s spent");
}

TEST_CASE("a wait that would end past the try budget is not begun") {
    auto settings = with_retries(10);
    settings.try_duration = milliseconds{5000};
    const RetryPolicy policy(settings);

    auto facts = failed(AttemptFailure::connect_failed, "connect refused");
    facts.elapsed = milliseconds{4700};
    // Retry 3 waits 400 ms: 4700 + 400 > 5000.
    const auto verdict = policy.decide(facts, 2);
    CHECK(verdict.decision == Decision::give_up);
    CHECK(verdict.reason == "connect refused; request not sent; try budget 5s would run out during the 400 ms wait");

    // Retry 2 waits 200 ms: 4700 + 200 fits.
    CHECK(policy.decide(facts, 1).decision == Decision::retry);
    // Exactly at the budget still fits.
    facts.elapsed = milliseconds{4600};
    CHECK(policy.decide(facts, 2).decision == Decision::retry);
}

TEST_CASE("option --retries is checked before the try budget (the first limit reached is named)") {
    auto settings = with_retries(1);
    settings.try_duration = milliseconds{1000};
    auto facts = failed(AttemptFailure::connect_failed, "connect refused");
    facts.elapsed = milliseconds{2000};
    CHECK(RetryPolicy(settings).decide(facts, 1).reason == "connect refused; request not sent; retries exhausted (1 of 1)");
}

TEST_CASE("the try budget also ends the free stale-connection retry") {
    auto settings = with_retries(0);
    settings.try_duration = milliseconds{1500};
    auto facts = failed(AttemptFailure::stale_pooled_connection, "");
    facts.elapsed = milliseconds{1500};
    const auto verdict = RetryPolicy(settings).decide(facts, 0);
    CHECK(verdict.decision == Decision::give_up);
    CHECK(verdict.reason ==
          "pooled connection was closed by the upstream before it read the request; try budget 1500ms spent");
}

TEST_CASE("a retryable status gives up on the try budget and relays the response") {
    auto settings = with_retries(3);
    settings.try_duration = milliseconds{60000};
    settings.retry_on_status = {503};
    auto facts = answered(503);
    facts.elapsed = milliseconds{61000};
    CHECK(RetryPolicy(settings).decide(facts, 0).reason == "upstream answered 503; try budget 1m spent, relaying it");
}

TEST_CASE("backoff doubles from --retry-backoff up to --retry-backoff-max") {
    const RetryPolicy policy(with_retries(10));
    std::vector<long> waits;
    for (int k = 1; k <= 8; ++k) waits.push_back(static_cast<long>(policy.backoff_before_retry(k).count()));
    CHECK(waits == std::vector<long>{100, 200, 400, 800, 1600, 2000, 2000, 2000});
}

TEST_CASE("backoff never overflows however many retries") {
    const RetryPolicy policy(with_retries(1000));
    CHECK(policy.backoff_before_retry(1000) == milliseconds{2000});
    CHECK(policy.backoff_before_retry(64) == milliseconds{2000});
}

TEST_CASE("a backoff maximum below the backoff caps the first wait too") {
    auto settings = with_retries(3);
    settings.backoff = milliseconds{500};
    settings.backoff_max = milliseconds{300};
    CHECK(RetryPolicy(settings).backoff_before_retry(1) == milliseconds{300});
}

TEST_CASE("a zero backoff retries immediately") {
    auto settings = with_retries(3);
    settings.backoff = milliseconds{0};
    const RetryPolicy policy(settings);
    CHECK(policy.backoff_before_retry(1) == milliseconds{0});
    CHECK(policy.backoff_before_retry(5) == milliseconds{0});
    CHECK(policy.decide(failed(AttemptFailure::connect_failed, "connect refused"), 0).reason ==
          "connect refused; request not sent; retrying in 0 ms");
}

TEST_CASE("with jitter each wait lies in [0, the un-jittered wait]") {
    auto settings = with_retries(10);
    settings.jitter = true;
    const RetryPolicy plain(with_retries(10));
    std::set<long> seen;
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        const RetryPolicy policy(settings, seed);
        for (int k = 1; k <= 7; ++k) {
            const auto wait = policy.backoff_before_retry(k);
            CHECK(wait >= milliseconds{0});
            CHECK(wait <= plain.backoff_before_retry(k));
            if (k == 6) seen.insert(static_cast<long>(wait.count()));
        }
    }
    // Spread over the range, not a constant: 200 draws from [0, 2000] land on many values.
    CHECK(seen.size() > 100);
    CHECK(*seen.begin() < 500);
    CHECK(*seen.rbegin() > 1500);
}

TEST_CASE("jitter is reproducible for a seed and differs between seeds") {
    auto settings = with_retries(10);
    settings.jitter = true;
    const RetryPolicy a(settings, 42), b(settings, 42), c(settings, 43);
    std::vector<long> from_a, from_b, from_c;
    for (int k = 1; k <= 8; ++k) {
        from_a.push_back(static_cast<long>(a.backoff_before_retry(k).count()));
        from_b.push_back(static_cast<long>(b.backoff_before_retry(k).count()));
        from_c.push_back(static_cast<long>(c.backoff_before_retry(k).count()));
    }
    CHECK(from_a == from_b);
    CHECK(from_a != from_c);
    // Asking again gives the same answer: the policy holds no generator state.
    CHECK(a.backoff_before_retry(3) == a.backoff_before_retry(3));
}

TEST_CASE("a jittered retry reports the wait it will really take") {
    auto settings = with_retries(3);
    settings.jitter = true;
    settings.backoff = milliseconds{1000};
    settings.backoff_max = milliseconds{10000};
    const RetryPolicy policy(settings, 7);
    const auto verdict = policy.decide(failed(AttemptFailure::connect_failed, "connect refused"), 0);
    CHECK(verdict.backoff == policy.backoff_before_retry(1));
    CHECK(verdict.reason == "connect refused; request not sent; retrying in " + format_wait(verdict.backoff));
}

TEST_CASE("waits read as a person says them") {
    CHECK(format_wait(milliseconds{0}) == "0 ms");
    CHECK(format_wait(milliseconds{100}) == "100 ms");
    CHECK(format_wait(milliseconds{999}) == "999 ms");
    CHECK(format_wait(milliseconds{1000}) == "1 s");
    CHECK(format_wait(milliseconds{1500}) == "1.5 s");
    CHECK(format_wait(milliseconds{1250}) == "1.25 s");
    CHECK(format_wait(milliseconds{2005}) == "2.005 s");
    CHECK(format_wait(milliseconds{60000}) == "60 s");
}

TEST_CASE("idempotent methods are those of RFC 9110 §9.2.2, case-sensitive") {
    for (const char* method : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
        CHECK(RetryPolicy::is_idempotent(method));
    for (const char* method : {"POST", "PATCH", "CONNECT", "get", "", "PROPFIND"})
        CHECK_FALSE(RetryPolicy::is_idempotent(method));
}

TEST_CASE("retry statuses are exactly those listed") {
    auto settings = with_retries(1);
    settings.retry_on_status = {502, 504};
    const RetryPolicy policy(settings);
    CHECK(policy.is_retry_status(502));
    CHECK(policy.is_retry_status(504));
    CHECK_FALSE(policy.is_retry_status(503));
    CHECK_FALSE(RetryPolicy(with_retries(1)).is_retry_status(502));
}

TEST_CASE("a verdict becomes the attempt's retry record unchanged") {
    const auto verdict = RetryPolicy(with_retries(1)).decide(failed(AttemptFailure::connect_failed, "connect refused"), 0);
    const auto record = verdict.to_record();
    CHECK(record.decision == Decision::retry);
    CHECK(record.reason == verdict.reason);
}

TEST_CASE("concurrent round trips jitter differently under one seed") {
    auto settings = with_retries(10);
    settings.jitter = true;
    const RetryPolicy policy(settings, 42);
    std::set<long> first_waits;
    for (std::uint64_t round_trip = 1; round_trip <= 50; ++round_trip)
        first_waits.insert(static_cast<long>(policy.backoff_before_retry(6, round_trip).count()));
    CHECK(first_waits.size() > 25);

    auto facts = failed(AttemptFailure::connect_failed, "connect refused");
    facts.jitter_key = 17;
    CHECK(policy.decide(facts, 5).backoff == policy.backoff_before_retry(6, 17));
}
