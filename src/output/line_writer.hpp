#pragma once
// One destination (stdout or the log file) behind a bounded queue and its own thread, so
// the proxy threads never wait on a slow reader (ROUND_TRIP.md "Stream rules").
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "output/drop_behind.hpp"

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
    bool push(std::string_view lines, bool bounded = true);
    // Writes everything queued, stops the thread. Idempotent.
    void close();

    // The writer thread sleeps until a push wakes it (at start, or after a window that
    // gathered no line). Lets a test reach that state without sleeping.
    bool idle() const {
        std::lock_guard lock(mutex_);
        return writer_idle_;
    }

    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
    // The destination failed (closed pipe, disk full...): nothing more is written to it.
    bool broken() const { return broken_.load(std::memory_order_relaxed); }

private:
    void run();
    bool write_all(std::string_view bytes);

    int fd_;
    bool owns_fd_;
    DropBehind drop_behind_;  // used by the writer thread only
    std::size_t max_queued_lines_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    // Lines are appended to one buffer that the writer swaps out whole: no allocation per
    // line, and none made on a proxy thread and freed on the writer's (glibc arenas make
    // that cross-thread free expensive at tens of thousands of lines per second).
    std::string pending_;
    std::size_t pending_lines_ = 0;
    bool closing_ = false;
    bool writer_idle_ = false;  // the writer waits for a push to wake it (not in a window)
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<bool> broken_{false};
    std::once_flag closed_;
    std::thread thread_;  // last: starts after every member it uses exists
};

}  // namespace rtproxy::output
