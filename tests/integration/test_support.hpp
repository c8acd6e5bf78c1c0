#pragma once
// What every integration test file includes: the harness and a few shorthands.
#include <catch2/catch.hpp>
#include <string>

#include "harness/command.hpp"
#include "harness/gate.hpp"
#include "harness/http_text.hpp"
#include "harness/proxy_process.hpp"
#include "harness/raw_client.hpp"
#include "harness/record_queries.hpp"
#include "harness/scripted_upstream.hpp"
#include "harness/temp_dir.hpp"
#include "harness/upstream_scripts.hpp"

namespace rtproxy::integration {

inline std::string url(std::uint16_t port, const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port) + path;
}

inline std::string get(const std::string& target, const std::string& host = "example.test") {
    return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
}

// A port nothing listens on: bound (so the kernel picked a free one), never listened, closed.
inline std::uint16_t refusing_port() {
    auto socket = Socket::bind_loopback(false);
    return socket.local_port();
}

}  // namespace rtproxy::integration
