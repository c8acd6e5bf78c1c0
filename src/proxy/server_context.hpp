#pragma once
// What every connection of the process shares: the configuration, the sink, and the
// counters that number requests and connections. Everything here is thread-safe.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <string>

#include "cli/config.hpp"
#include "proxy/retry_policy.hpp"
#include "record/event_sink.hpp"

namespace rtproxy::proxy {

class BodyBufferBudget {
public:
    explicit BodyBufferBudget(std::uint64_t total) : total_(total) {}
    // Reserves `bytes` of the global --buffer-total; false when that would exceed it.
    bool reserve(std::uint64_t bytes) {
        auto used = used_.load();
        do {
            if (used + bytes > total_) return false;
        } while (!used_.compare_exchange_weak(used, used + bytes));
        return true;
    }
    void release(std::uint64_t bytes) { used_ -= bytes; }

private:
    std::uint64_t total_;
    std::atomic<std::uint64_t> used_{0};
};

class ServerContext {
public:
    ServerContext(const Config& config, record::EventSink& sink)
        : config(config),
          sink(sink),
          buffer_budget(config.buffer_total),
          retry_policy(RetrySettings{config.retries, config.try_duration, config.retry_backoff,
                                     config.retry_backoff_max, config.retry_jitter, config.retry_all_methods,
                                     config.retry_on_status},
                       std::random_device{}()) {}

    const Config& config;
    record::EventSink& sink;
    BodyBufferBudget buffer_budget;
    const RetryPolicy retry_policy;
    std::atomic<int> active_round_trips{0};
    const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::atomic<bool> stopping{false};

    std::uint64_t next_request_id() { return next_request_id_++; }
    std::uint64_t next_conn_id() { return next_conn_id_++; }
    std::uint64_t rounds() const { return rounds_.load(); }

    // Counts the record's errors, hands it to the sink, and calls on_max_rounds once when
    // --max-rounds is reached.
    void publish(const record::RoundTripRecord& rec) {
        const bool any_error = !rec.errors.empty() ||
                               std::any_of(rec.attempts.begin(), rec.attempts.end(), [](const auto& a) { return a.error.has_value(); });
        if (any_error) {
            std::lock_guard lock(errors_mutex_);
            for (const auto& e : rec.errors) ++errors_by_op_[std::string(record::to_string(e.op))];
            for (const auto& a : rec.attempts)
                if (a.error) ++errors_by_op_[std::string(record::to_string(a.error->op))];
        }
        sink.round_trip(rec);
        auto done = ++rounds_;
        if (config.max_rounds && done == *config.max_rounds && on_max_rounds) on_max_rounds();
    }

    std::map<std::string, std::uint64_t> errors_by_op() const {
        std::lock_guard lock(errors_mutex_);
        return errors_by_op_;
    }

    std::function<void()> on_max_rounds;

private:
    std::atomic<std::uint64_t> next_request_id_{1};
    std::atomic<std::uint64_t> next_conn_id_{1};
    std::atomic<std::uint64_t> rounds_{0};
    mutable std::mutex errors_mutex_;
    std::map<std::string, std::uint64_t> errors_by_op_;
};

}  // namespace rtproxy::proxy
