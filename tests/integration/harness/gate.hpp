#pragma once
// A one-shot signal between a test and a scripted peer running on another thread:
// "the client has seen the first 5000 bytes, now reset". Waits are always bounded.
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace rtproxy::integration {

class Gate {
public:
    void open() {
        {
            std::lock_guard lock(mutex_);
            open_ = true;
        }
        cv_.notify_all();
    }
    // True when the gate was opened within `timeout`.
    bool wait(std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, timeout, [&] { return open_; });
    }
    bool is_open() const {
        std::lock_guard lock(mutex_);
        return open_;
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool open_ = false;
};

}  // namespace rtproxy::integration
