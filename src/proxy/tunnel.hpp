#pragma once
// After 101 Switching Protocols the connection is no longer HTTP: bytes are copied both
// ways, counted, with a half-close passed through, until both directions are done
// (ROUND_TRIP_NOTES §4; Caddy's handleUpgradeResponse).
#include <string>
#include <vector>

#include <asio/awaitable.hpp>

#include "proxy/client_side.hpp"
#include "proxy/upstream_pool.hpp"
#include "record/round_trip_record.hpp"

namespace rtproxy::proxy {

struct TunnelResult {
    record::TunnelRecord tunnel;
    std::vector<record::ErrorRecord> errors;  // phase "tunnel", op and peer of the side that failed
};

// Writes `switching_head` (the 101 to relay) first, then tunnels.
asio::awaitable<TunnelResult> run_tunnel(ClientSide& client, UpstreamConnection& upstream, std::string switching_head,
                                         std::string protocol, int attempt);

}  // namespace rtproxy::proxy
