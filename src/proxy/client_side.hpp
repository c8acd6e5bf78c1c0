#pragma once
// The client end of a connection as the round trip sees it: the stream, the bytes read
// but not yet consumed (pipelined requests wait here), and who the client is.
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
};

}  // namespace rtproxy::proxy
