#pragma once
// What may be retried and when (ROUND_TRIP_NOTES §3). Pure: the round trip says what happened
// to an attempt, the policy answers retry / give up and why, in words a person reads; the
// round trip records the answer verbatim in `attempts[].retry`.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "record/round_trip_record.hpp"

namespace rtproxy::proxy {

struct RetrySettings {  // from Config
    unsigned retries = 0;
    std::optional<std::chrono::milliseconds> try_duration;
    std::chrono::milliseconds backoff{100}, backoff_max{2000};
    bool jitter = false;
    bool retry_all_methods = false;
    std::vector<int> retry_on_status;
};

// What happened to one attempt, as far as retrying cares.
enum class AttemptFailure {
    none,  // a response arrived and was relayed (or is being relayed)
    resolve_failed,
    connect_failed,
    tls_failed,  // request not sent
    // A reused keep-alive connection was already closed by the upstream before it read
    // anything (EOF/reset on first read with 0 response bytes, or write failed).
    stale_pooled_connection,
    failed_after_write,  // request (partly) written, no response byte received
    retryable_status,    // a complete response whose status is in retry_on_status
    response_started,    // failed after response bytes reached the client
    client_gone,         // the client went away
};

struct AttemptFacts {
    int attempt = 1;  // this attempt's number (1-based)
    AttemptFailure failure = AttemptFailure::none;
    std::string failure_summary;  // e.g. "connect refused", "upstream reset before responding", "upstream answered 503"
    int status = 0;               // for retryable_status (and none: "upstream answered 200")
    std::string method;
    bool has_idempotency_key = false;
    bool body_replayable = true;        // false when the body can't be sent again
    std::string not_replayable_reason;  // e.g. "body larger than --buffer-body (1 MiB), cannot replay"
    bool request_bytes_written = false;  // anything of the request reached the upstream
    std::chrono::milliseconds elapsed{0};  // since the round trip's first attempt started
    bool interim_relayed = false;   // 1xx responses already reached the client (retryable_status)
    bool stale_retry_used = false;  // the one free retry for a stale pooled connection was already spent
    bool has_body = true;           // the request has a body (only changes the wording of a refusal)
    std::uint64_t jitter_key = 0;   // e.g. the round trip's id: concurrent round trips jitter differently
};

struct RetryVerdict {
    record::RetryDecision::Decision decision = record::RetryDecision::Decision::not_needed;
    std::string reason;                     // e.g. "connect refused; request not sent; retrying in 200 ms"
    std::chrono::milliseconds backoff{0};   // wait before the next attempt (retry only)
    bool counts_against_retries = true;     // false for the free stale-connection retry

    record::RetryDecision to_record() const { return {decision, reason}; }
};

class RetryPolicy {
public:
    // `jitter_seed` makes the jitter reproducible; production passes a random one.
    explicit RetryPolicy(RetrySettings settings, std::uint64_t jitter_seed = 0);

    // `retries_used`: retries already made that counted against --retries (the free
    // stale-connection retry does not count).
    RetryVerdict decide(const AttemptFacts& facts, int retries_used) const;

    // Wait before retry number k (1-based): backoff·2^(k-1), capped at backoff_max; with
    // jitter: uniformly random in [0, that] ("full jitter"), the same for the same seed, k and
    // `jitter_key` (decide() passes AttemptFacts::jitter_key).
    std::chrono::milliseconds backoff_before_retry(int k, std::uint64_t jitter_key = 0) const;

    static bool is_idempotent(std::string_view method);  // GET HEAD OPTIONS TRACE PUT DELETE
    bool is_retry_status(int status) const;

    const RetrySettings& settings() const { return settings_; }

private:
    RetryVerdict retry_within_limits(const AttemptFacts& facts, int retries_used, const std::string& what,
                                     const std::string& retry_note, bool relaying) const;
    std::optional<std::string> over_budget(const AttemptFacts& facts, std::chrono::milliseconds wait) const;

    RetrySettings settings_;
    std::uint64_t jitter_seed_;
};

// "100 ms", "1.5 s", "2 s": how a wait reads in a retry reason.
std::string format_wait(std::chrono::milliseconds wait);

// "upstream answered 503": the start of every reason about an upstream's status, and the
// whole reason of nearly every record (an attempt that needed no retry), so no format
// string is parsed for it.
std::string upstream_answered(int status);

}  // namespace rtproxy::proxy
