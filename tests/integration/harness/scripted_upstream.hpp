#pragma once
// An origin server that does exactly what a test tells it, including the wrong things:
// each accepted connection runs the script on its own thread. It remembers every byte the
// proxy sent it, per connection, so tests can say "the upstream saw nothing" or "the
// upstream saw exactly this copy".
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <condition_variable>
#include <string>
#include <thread>
#include <vector>

#include "harness/socket.hpp"
#include "harness/upstream_connection.hpp"

namespace rtproxy::integration {

using Script = std::function<void(UpstreamConnection&)>;

class ScriptedUpstream {
public:
    explicit ScriptedUpstream(Script script);
    ~ScriptedUpstream();
    ScriptedUpstream(const ScriptedUpstream&) = delete;
    ScriptedUpstream& operator=(const ScriptedUpstream&) = delete;

    std::uint16_t port() const { return port_; }

    std::size_t connections_accepted() const;
    bool wait_for_connections(std::size_t n, Millis timeout = default_io_timeout) const;
    // Bytes received on connection `index` (0-based, in accept order).
    std::string received(std::size_t index) const;
    std::size_t total_bytes_received() const;
    // Exceptions that escaped a script (a timeout, a write to a closed socket...): some
    // tests expect them, others assert there were none.
    std::vector<std::string> script_failures() const;
    // Blocks until every script returned (bounded); true when they all did.
    bool wait_for_scripts(Millis timeout = default_io_timeout) const;

    // Closes the listener, shuts down open connections, joins every thread.
    void stop();

private:
    void accept_loop();

    Script script_;
    Socket listener_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread acceptor_;

    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<std::shared_ptr<ConnectionLog>> logs_;
    std::vector<std::shared_ptr<UpstreamConnection>> connections_;
    std::vector<std::thread> workers_;
    std::vector<std::string> failures_;
    std::size_t running_ = 0;
    bool stopped_ = false;
};

}  // namespace rtproxy::integration
