#pragma once
// The client end of a connection as the round trip sees it: the socket, the bytes read
// but not yet consumed (pipelined requests wait here), and who the client is.
#include <asio/ip/tcp.hpp>

#include "proxy/byte_buffer.hpp"
#include "record/round_trip_record.hpp"

namespace rtproxy::proxy {

struct ClientSide {
    explicit ClientSide(asio::ip::tcp::socket s) : socket(std::move(s)) {}
    asio::ip::tcp::socket socket;
    ByteBuffer in;
    record::ClientInfo info;
};

}  // namespace rtproxy::proxy
