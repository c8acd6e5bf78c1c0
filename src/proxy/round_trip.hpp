#pragma once
// THE round trip: one client request from its parsed head to the last byte of its
// answer, with every attempt, interim response and error recorded. Readable top to
// bottom in round_trip.cpp, like Caddy's ServeHTTP -> proxyLoopIteration -> reverseProxy.
#include <chrono>

#include <asio/awaitable.hpp>

#include "http/message.hpp"
#include "proxy/client_side.hpp"
#include "proxy/server_context.hpp"
#include "proxy/upstream_pool.hpp"
#include "record/round_trip_record.hpp"

namespace rtproxy::proxy {

struct RoundTripStart {
    http::RequestHead head;
    record::RoundTripRecord record;  // id, ts, client already filled in
    std::chrono::steady_clock::time_point started;  // when the head was complete (= record.ts)
};

// Returns true when the client connection is still framed and may carry another request.
asio::awaitable<bool> run_round_trip(ServerContext& server, UpstreamPool& pool, ClientSide& client,
                                     RoundTripStart start);

}  // namespace rtproxy::proxy
