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
#include <asio/ssl/context.hpp>

#include "cli/config.hpp"
#include "proxy/upstream_connection.hpp"
#include "record/error_record.hpp"

namespace rtproxy::proxy {


struct DialResult {
    std::unique_ptr<UpstreamConnection> connection;  // null on failure
    std::optional<record::ErrorRecord> error;        // op resolve | connect | tls, phase connect
    std::optional<double> dns_ms;                    // durations; null for a literal IP
    std::optional<double> connect_ms;
    std::optional<double> tls_ms;                    // null for a plain http upstream
};

class UpstreamPool {
public:
    UpstreamPool(asio::io_context& io, const Config& config);
    ~UpstreamPool();

    // An idle connection to reuse, or null. Connections idle longer than
    // --upstream-idle-timeout at `now` (the caller's clock reading, to save one per
    // request) are closed here instead of being handed out.
    std::unique_ptr<UpstreamConnection> take_idle(std::chrono::steady_clock::time_point now);
    asio::awaitable<DialResult> dial(int attempt);
    void give_back(std::unique_ptr<UpstreamConnection> connection);

private:
    asio::awaitable<std::unique_ptr<UpstreamConnection>> handshake(asio::ip::tcp::socket socket, DialResult& result,
                                                                   int attempt);

    asio::io_context& io_;
    const Config& config_;
    std::unique_ptr<asio::ssl::context> tls_;  // for an https upstream
    std::vector<std::unique_ptr<UpstreamConnection>> idle_;  // most recently used last
};

std::string endpoint_text(const asio::ip::tcp::endpoint& endpoint);

}  // namespace rtproxy::proxy
