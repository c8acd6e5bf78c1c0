#pragma once
// One connection to the upstream (plain or TLS), with what the pool and the record need.
#include <chrono>
#include <string>

#include "proxy/byte_buffer.hpp"
#include "proxy/stream.hpp"

namespace rtproxy::proxy {

struct UpstreamConnection : Stream {
    using Stream::Stream;

    ByteBuffer in;
    bool reused = false;
    std::string local;   // "ip:port"
    std::string remote;  // "ip:port"
    std::chrono::steady_clock::time_point idle_since;
};

}  // namespace rtproxy::proxy
