#pragma once
// Connections to the upstream: dial (resolve + connect under --connect-timeout) and keep
// idle keep-alive connections for reuse. One pool per worker thread, so no locking.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "cli/config.hpp"
#include "proxy/byte_buffer.hpp"
#include "record/error_record.hpp"

namespace rtproxy::proxy {

struct UpstreamConnection {
    explicit UpstreamConnection(asio::ip::tcp::socket s) : socket(std::move(s)) {}
    asio::ip::tcp::socket socket;
    ByteBuffer in;
    bool reused = false;
    std::string local;   // "ip:port"
    std::string remote;  // "ip:port"
    std::chrono::steady_clock::time_point idle_since;
};

struct DialResult {
    std::unique_ptr<UpstreamConnection> connection;  // null on failure
    std::optional<record::ErrorRecord> error;        // op resolve | connect, phase connect
    std::optional<double> dns_ms;                    // null for a literal IP
    std::optional<double> connect_ms;
};

class UpstreamPool {
public:
    UpstreamPool(asio::io_context& io, const Config& config);

    // An idle connection to reuse, or null. Connections idle longer than
    // --upstream-idle-timeout are closed here instead of being handed out.
    std::unique_ptr<UpstreamConnection> take_idle();
    asio::awaitable<DialResult> dial(int attempt);
    void give_back(std::unique_ptr<UpstreamConnection> connection);
    void clear() { idle_.clear(); }

private:
    asio::io_context& io_;
    const Config& config_;
    std::vector<std::unique_ptr<UpstreamConnection>> idle_;  // most recently used last
};

std::string endpoint_text(const asio::ip::tcp::endpoint& endpoint);

}  // namespace rtproxy::proxy
