#pragma once
// THE round trip: one client request from its parsed head to the last byte of its
// answer, with every attempt, interim response and error recorded. Readable top to
// bottom in round_trip.cpp, like Caddy's ServeHTTP -> proxyLoopIteration -> reverseProxy.
#include <chrono>
#include <memory>

#include <asio/awaitable.hpp>

#include "http/message.hpp"
#include "proxy/client_side.hpp"
#include "proxy/server_context.hpp"
#include "proxy/upstream_pool.hpp"
#include "record/round_trip_record.hpp"

namespace rtproxy::proxy {

// What the connection knows when a request's head is complete: the record's first fields.
// Not a record itself, which the round trip builds in place (moving one costs as much as
// writing these).
struct RoundTripStart {
    http::RequestHead head;
    std::uint64_t id = 0;
    std::chrono::system_clock::time_point ts;
    record::ClientInfo client;
    std::chrono::steady_clock::time_point started;  // when the head was complete (= ts)
};

// Where a connection runs its round trips, one after another. The state of a round trip is
// about 3 KB; it lives here, made once per connection and reused by each request, because
// allocating a block that large per request pushed glibc's malloc (still the allocator of
// the sanitizer builds and of -DRTPROXY_MIMALLOC=OFF) into its slow paths, consolidating
// its small-block caches every time.
class RoundTripSlot {
public:
    RoundTripSlot();
    ~RoundTripSlot();
    RoundTripSlot(const RoundTripSlot&) = delete;
    RoundTripSlot& operator=(const RoundTripSlot&) = delete;

    // Starts a round trip in the slot and returns it to be awaited: true when the client
    // connection is still framed and may carry another request. `start` is consumed. Call
    // end() once it completes: the state is destroyed then, not when the connection's next
    // request reuses the slot (which may never come on an idle keep-alive connection), as it
    // holds the body's share of --buffer-total and the record's memory. Not a coroutine
    // itself, so a round trip costs no extra frame.
    asio::awaitable<bool> run(ServerContext& server, UpstreamPool& pool, ClientSide& client, RoundTripStart& start);
    void end();

private:
    struct Storage;
    std::unique_ptr<Storage> storage_;
};

}  // namespace rtproxy::proxy
