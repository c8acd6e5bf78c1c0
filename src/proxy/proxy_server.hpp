#pragma once
// rtproxy's data path as one object: listeners, I/O threads, upstream pool.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cli/config.hpp"
#include "record/event_sink.hpp"

namespace rtproxy::proxy {

class ProxyServer {
public:
    ProxyServer(Config config, record::EventSink& sink);
    ~ProxyServer();
    ProxyServer(const ProxyServer&) = delete;
    ProxyServer& operator=(const ProxyServer&) = delete;

    // Binds every listener and writes the `listening` event. Throws std::system_error
    // (message names the address) when a listener cannot be bound.
    void start();
    // The real ports (after start(); a port 0 was replaced by the kernel's choice).
    std::vector<record::ListenAddress> bound() const;
    // Serves on config.threads threads until stop(), SIGINT/SIGTERM (when
    // handle_signals) or --max-rounds; writes the `shutdown` event before returning.
    void run(bool handle_signals = true);
    // Thread-safe; run() returns after open round trips finish (bounded by a grace period).
    void stop(std::string reason);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace rtproxy::proxy
