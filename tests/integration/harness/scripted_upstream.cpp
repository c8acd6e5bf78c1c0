#include "harness/scripted_upstream.hpp"

#include <exception>

namespace rtproxy::integration {

ScriptedUpstream::ScriptedUpstream(Script script)
    : script_(std::move(script)), listener_(Socket::bind_loopback(true)), port_(listener_.local_port()) {
    acceptor_ = std::thread([this] { accept_loop(); });
}

ScriptedUpstream::~ScriptedUpstream() { stop(); }

void ScriptedUpstream::accept_loop() {
    while (!stopping_) {
        Socket socket = listener_.accept(Millis{100});
        if (!socket.valid()) continue;
        std::lock_guard lock(mutex_);
        if (stopping_) break;
        auto log = std::make_shared<ConnectionLog>();
        auto connection = std::make_shared<UpstreamConnection>(std::move(socket), logs_.size(), log);
        logs_.push_back(log);
        connections_.push_back(connection);
        ++running_;
        workers_.emplace_back([this, connection] {
            try {
                script_(*connection);
            } catch (const std::exception& e) {
                std::lock_guard lock(mutex_);
                failures_.push_back("connection " + std::to_string(connection->index()) + ": " + e.what());
            }
            connection->close();
            std::lock_guard lock(mutex_);
            --running_;
            changed_.notify_all();
        });
        changed_.notify_all();
    }
}

std::size_t ScriptedUpstream::connections_accepted() const {
    std::lock_guard lock(mutex_);
    return logs_.size();
}

bool ScriptedUpstream::wait_for_connections(std::size_t n, Millis timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return logs_.size() >= n; });
}

std::string ScriptedUpstream::received(std::size_t index) const {
    std::shared_ptr<ConnectionLog> log;
    {
        std::lock_guard lock(mutex_);
        if (index >= logs_.size()) return {};
        log = logs_[index];
    }
    std::lock_guard lock(log->mutex);
    return log->received;
}

std::size_t ScriptedUpstream::total_bytes_received() const {
    std::lock_guard lock(mutex_);
    std::size_t total = 0;
    for (const auto& log : logs_) {
        std::lock_guard log_lock(log->mutex);
        total += log->received.size();
    }
    return total;
}

std::vector<std::string> ScriptedUpstream::script_failures() const {
    std::lock_guard lock(mutex_);
    return failures_;
}

bool ScriptedUpstream::wait_for_scripts(Millis timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return running_ == 0; });
}

void ScriptedUpstream::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
        stopped_ = true;
    }
    stopping_ = true;
    listener_.shutdown_both();
    if (acceptor_.joinable()) acceptor_.join();
    listener_.close();
    {
        std::lock_guard lock(mutex_);
        for (auto& connection : connections_) connection->abort();
    }
    // Scripts' reads and writes are bounded by their own timeouts, and the abort above
    // wakes them at once, so joining cannot hang for long.
    std::vector<std::thread> workers;
    {
        std::lock_guard lock(mutex_);
        workers.swap(workers_);
    }
    for (auto& worker : workers) worker.join();
}

}  // namespace rtproxy::integration
