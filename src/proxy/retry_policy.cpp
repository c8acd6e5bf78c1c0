#include "proxy/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace rtproxy::proxy {

namespace {

using Decision = record::RetryDecision::Decision;
using std::chrono::milliseconds;

RetryVerdict give_up(std::string reason) { return {Decision::give_up, std::move(reason), milliseconds{0}, true}; }

RetryVerdict retry(std::string reason, milliseconds backoff, bool counts = true) {
    return {Decision::retry, std::move(reason), backoff, counts};
}

std::string or_default(const std::string& text, std::string fallback) {
    return text.empty() ? std::move(fallback) : text;
}

// How --try-duration is written on the command line ("5s", "1500ms", "2m"), so the reason
// names the budget the way the user set it.
std::string format_option_duration(milliseconds d) {
    const auto ms = d.count();
    if (ms != 0 && ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
    if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

// SplitMix64 (Steele, Lea, Flood 2014): a stateless mix of (seed, k), so the wait before retry
// k is reproducible for a seed and the policy needs no mutable generator shared by attempts.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

}  // namespace

std::string upstream_answered(int status) { return "upstream answered " + std::to_string(status); }

std::string format_wait(milliseconds wait) {
    const auto ms = wait.count();
    if (ms < 1000) return std::to_string(ms) + " ms";
    std::string text = std::to_string(ms / 1000);
    if (auto fraction = ms % 1000; fraction != 0) {
        std::string digits = std::to_string(fraction);
        digits.insert(0, 3 - digits.size(), '0');
        while (digits.back() == '0') digits.pop_back();
        text += "." + digits;
    }
    return text + " s";
}

RetryPolicy::RetryPolicy(RetrySettings settings, std::uint64_t jitter_seed)
    : settings_(std::move(settings)), jitter_seed_(jitter_seed) {}

bool RetryPolicy::is_idempotent(std::string_view method) {
    // RFC 9110 §9.2.2. Methods are case-sensitive (§9.1): "get" is not GET.
    constexpr std::array<std::string_view, 6> idempotent{"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"};
    return std::find(idempotent.begin(), idempotent.end(), method) != idempotent.end();
}

bool RetryPolicy::is_retry_status(int status) const {
    return std::find(settings_.retry_on_status.begin(), settings_.retry_on_status.end(), status) !=
           settings_.retry_on_status.end();
}

milliseconds RetryPolicy::backoff_before_retry(int k, std::uint64_t jitter_key) const {
    const auto cap = settings_.backoff_max.count();
    auto wait = settings_.backoff.count();
    for (int i = 1; i < k && wait < cap && wait > 0; ++i) wait *= 2;  // stops doubling at the cap: no overflow
    wait = std::max<milliseconds::rep>(0, std::min(wait, cap));
    if (!settings_.jitter || wait == 0) return milliseconds{wait};
    // "Full jitter": uniform in [0, wait], so retries of many clients spread out instead of
    // arriving at the upstream in step; hence the per-round-trip key. Modulo bias is below
    // 2^-40 for waits under 2^24 ms.
    const auto draw = mix(jitter_seed_ ^ mix(jitter_key ^ mix(static_cast<std::uint64_t>(k))));
    return milliseconds{static_cast<milliseconds::rep>(draw % (static_cast<std::uint64_t>(wait) + 1))};
}

// `what` happened and is retryable in itself; whether a retry happens now depends on the
// limits, which stop at the first reached (--retries, then --try-duration). `relaying`: the
// attempt produced a response that is relayed when giving up.
RetryVerdict RetryPolicy::retry_within_limits(const AttemptFacts& facts, int retries_used, const std::string& what,
                                              const std::string& retry_note, bool relaying) const {
    const std::string relay = relaying ? ", relaying it" : "";
    if (retries_used < 0) retries_used = 0;
    if (static_cast<unsigned>(retries_used) >= settings_.retries) {
        if (settings_.retries == 0) return give_up(what + "; not retried (--retries 0)" + relay);
        return give_up(what + "; retries exhausted (" + std::to_string(retries_used) + " of " +
                       std::to_string(settings_.retries) + ")" + relay);
    }
    const auto wait = backoff_before_retry(retries_used + 1, facts.jitter_key);
    if (auto stop = over_budget(facts, wait)) return give_up(what + "; " + *stop + relay);
    return retry(what + retry_note + "; retrying in " + format_wait(wait), wait);
}

// Caddy's lb_try_duration: no attempt starts after the budget, so a wait that would end past
// it is not begun.
std::optional<std::string> RetryPolicy::over_budget(const AttemptFacts& facts, milliseconds wait) const {
    if (!settings_.try_duration) return std::nullopt;
    const auto budget = *settings_.try_duration;
    const auto name = "try budget " + format_option_duration(budget);
    if (facts.elapsed >= budget) return name + " spent";
    if (facts.elapsed + wait > budget) return name + " would run out during the " + format_wait(wait) + " wait";
    return std::nullopt;
}

RetryVerdict RetryPolicy::decide(const AttemptFacts& facts, int retries_used) const {
    switch (facts.failure) {
        case AttemptFailure::none:
            return {Decision::not_needed,
                    facts.status != 0 ? upstream_answered(facts.status)
                                      : or_default(facts.failure_summary, "upstream answered"),
                    milliseconds{0}, true};

        case AttemptFailure::client_gone:
            return give_up(facts.failure_summary.empty() ? "client went away"
                                                         : facts.failure_summary + "; client went away");

        case AttemptFailure::response_started:
            // Caddy and Go alike: once the status line went out there is no taking it back.
            return give_up((facts.failure_summary.empty() ? "" : facts.failure_summary + "; ") +
                           "response already started to the client; cannot retry");

        case AttemptFailure::resolve_failed:
        case AttemptFailure::connect_failed:
        case AttemptFailure::tls_failed: {
            // Nothing reached the upstream, so any method may be sent again (Caddy retries
            // dial errors for every method).
            static constexpr std::array<const char*, 3> fallback{"upstream name did not resolve",
                                                                 "connect to the upstream failed",
                                                                 "TLS handshake with the upstream failed"};
            const auto index = static_cast<std::size_t>(facts.failure) -
                               static_cast<std::size_t>(AttemptFailure::resolve_failed);
            return retry_within_limits(facts, retries_used,
                                       or_default(facts.failure_summary, fallback[index]) + "; request not sent", "",
                                       false);
        }

        case AttemptFailure::stale_pooled_connection: {
            // The upstream closed an idle keep-alive connection just as it was reused: a race
            // of the connection, not a failure of the upstream (Go's transport retries it on
            // its own as errServerClosedIdle). One such retry is free and immediate.
            const std::string what = "pooled connection was closed by the upstream before it read the request";
            if (!facts.body_replayable)
                return give_up(what + "; " + or_default(facts.not_replayable_reason, "request body cannot be replayed"));
            if (facts.stale_retry_used) return retry_within_limits(facts, retries_used, what, "", false);
            if (auto stop = over_budget(facts, milliseconds{0})) return give_up(what + "; " + *stop);
            return retry(what + "; retrying on a new connection", milliseconds{0}, /*counts=*/false);
        }

        case AttemptFailure::failed_after_write: {
            // The upstream may have acted on the request before failing; sending it again is
            // only safe when repeating it means the same (RFC 9110 §9.2.2) or the client says
            // so with an Idempotency-Key, or when the user asked for it.
            const auto what = or_default(facts.failure_summary, "upstream failed before responding");
            std::string why;
            if (is_idempotent(facts.method))
                why = "; " + facts.method + " is idempotent";
            else if (facts.has_idempotency_key)
                why = "; " + facts.method + " has an Idempotency-Key";
            else if (settings_.retry_all_methods)
                why = "; " + facts.method + " retried under --retry-all-methods";
            else
                return give_up(what + "; " + facts.method + " is not idempotent and " +
                               (facts.has_body ? "its body was written" : "the request was written") +
                               "; not retried");
            if (!facts.body_replayable)
                return give_up(what + "; " + or_default(facts.not_replayable_reason, "request body cannot be replayed"));
            return retry_within_limits(facts, retries_used, what + why, "", false);
        }

        case AttemptFailure::retryable_status: {
            const auto what = upstream_answered(facts.status);
            // Like a response byte, a relayed 1xx cannot be taken back: a retry's own 1xx
            // would follow it, and the client may already have acted on it (sent its body
            // after a 100 Continue, preloaded an Early Hint).
            if (facts.interim_relayed) return give_up(what + "; 1xx already relayed to the client, relaying it");
            if (!facts.body_replayable)
                return give_up(what + "; " +
                               or_default(facts.not_replayable_reason, "request body cannot be replayed") +
                               ", relaying it");
            return retry_within_limits(facts, retries_used, what, ", listed in --retry-on-status", true);
        }
    }
    return give_up(or_default(facts.failure_summary, "unknown failure"));
}

}  // namespace rtproxy::proxy
