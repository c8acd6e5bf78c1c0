#pragma once
// The first and last lines of the stream (ROUND_TRIP.md "Events").
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "record/round_trip_record.hpp"

namespace rtproxy::record {

constexpr int schema_version = 1;

struct ListenAddress {
    std::string addr;
    int port = 0;
    bool tls = false;
};

struct ListeningEvent {
    std::string version;
    std::vector<ListenAddress> listen;
    UpstreamInfo upstream;
    std::optional<std::string> admin;
    int pid = 0;
};

struct ShutdownEvent {
    std::string reason;  // "signal SIGINT", "--max-rounds reached", "demo finished", "fatal: ..."
    std::uint64_t rounds = 0;
    std::map<std::string, std::uint64_t> errors;  // counts by op
    std::uint64_t dropped = 0;                      // filled in by the output, which is the one that drops
    double uptime_ms = 0;
};

}  // namespace rtproxy::record
