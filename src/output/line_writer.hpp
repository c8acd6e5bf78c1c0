#pragma once
// One destination (stdout or the log file) behind a bounded queue and its own thread, so
// the proxy threads never wait on a slow reader (ROUND_TRIP.md "Stream rules").
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rtproxy::output {

class AsyncLineWriter {
public:
    // Writes to `fd` with write(2); closes it in close() when `owns_fd`. At most
    // `max_queued_lines` lines wait in the queue; more are dropped and counted.
    AsyncLineWriter(int fd, bool owns_fd, std::size_t max_queued_lines);
    ~AsyncLineWriter();
    AsyncLineWriter(const AsyncLineWriter&) = delete;
    AsyncLineWriter& operator=(const AsyncLineWriter&) = delete;

    // Queues one or more whole lines (kept together, never split or interleaved). Returns
    // false when dropped: queue full and `bounded`. The first and last events of the stream
    // pass bounded = false, since losing them would hide that the stream exists or ended.
    // After the destination went away (EPIPE: `rtproxy | head`) lines are silently discarded.
    bool push(std::string lines, bool bounded = true);
    // Writes everything queued, stops the thread. Idempotent.
    void close();

    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
    // The destination failed (closed pipe, disk full...): nothing more is written to it.
    bool broken() const { return broken_.load(std::memory_order_relaxed); }

private:
    void run();
    bool write_all(const std::string& bytes);

    int fd_;
    bool owns_fd_;
    std::size_t max_queued_lines_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<std::string> queue_;
    bool closing_ = false;
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<bool> broken_{false};
    std::once_flag closed_;
    std::thread thread_;  // last: starts after every member it uses exists
};

}  // namespace rtproxy::output
