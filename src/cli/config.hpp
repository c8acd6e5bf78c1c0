#pragma once
// Everything the command line decided, validated. Built only by cli/option_table.cpp.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/cidr.hpp"

namespace rtproxy {

using Duration = std::chrono::milliseconds;

struct ListenSpec {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
};

struct UpstreamSpec {
    std::string scheme = "http";  // "http" | "https"
    std::string host;
    std::uint16_t port = 0;
};

enum class OutputFormat { auto_detect, json, pretty };

struct Config {
    // where
    std::vector<ListenSpec> listen{ListenSpec{}};
    std::string tls_cert;  // PEM: when set (with tls_key), every listener speaks TLS
    std::string tls_key;
    UpstreamSpec upstream;
    std::string upstream_ca;        // https upstream: trust this CA (PEM) instead of the system's
    bool upstream_insecure = false;  // https upstream: do not verify its certificate at all
    bool demo = false;

    // output
    OutputFormat format = OutputFormat::auto_detect;
    std::string log_file;  // empty: none; JSON lines whatever --format says
    bool quiet = false;    // nothing on stdout

    // process
    unsigned threads = 0;  // 0: one per core
    std::optional<std::uint64_t> max_rounds;
    std::vector<net::Cidr> trusted_proxies;

    // limits (RFC 9112 heads)
    std::size_t max_head_bytes = 64 * 1024;
    std::size_t max_header_fields = 100;

    // timeouts (ROUND_TRIP_NOTES §6)
    Duration connect_timeout{3000};
    std::optional<Duration> response_header_timeout;  // none by default
    Duration idle_timeout{60000};                     // client keep-alive
    Duration upstream_idle_timeout{90000};            // pooled upstream connections
    Duration read_header_timeout{10000};              // client heads (slow-loris)
    Duration read_body_timeout{60000};                // silence in the middle of a request body
    Duration expect_timeout{1000};                    // wait for 100 Continue before sending the body

    // retries (ROUND_TRIP_NOTES §3)
    unsigned retries = 0;
    std::optional<Duration> try_duration;  // none: no limit
    Duration retry_backoff{100};
    Duration retry_backoff_max{2000};
    bool retry_jitter = false;
    bool retry_all_methods = false;
    std::vector<int> retry_on_status;
    std::uint64_t buffer_body = 1024 * 1024;
    std::uint64_t buffer_total = 256ull * 1024 * 1024;
};

}  // namespace rtproxy
