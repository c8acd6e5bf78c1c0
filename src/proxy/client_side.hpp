#pragma once
// The client end of a connection as the round trip sees it: the stream, the bytes read
// but not yet consumed (pipelined requests wait here), and who the client is.
#include <chrono>

#include <asio/ip/tcp.hpp>

#include "proxy/byte_buffer.hpp"
#include "proxy/stream.hpp"
#include "record/round_trip_record.hpp"

namespace rtproxy::proxy {

struct ClientSide {
    explicit ClientSide(Stream s) : stream(std::move(s)) {}
    Stream stream;
    ByteBuffer in;
    record::ClientInfo info;
    bool trusted = false;  // the peer is in --trusted-proxies (decided once per connection)
    // A read from the client that must finish by read_deadline: the connection's watchdog
    // cancels it once the deadline has passed and sets timed_out (the read then fails with
    // operation_aborted; timed_out says why). max() when no read is being timed.
    std::chrono::steady_clock::time_point read_deadline = std::chrono::steady_clock::time_point::max();
    bool timed_out = false;
};

}  // namespace rtproxy::proxy
