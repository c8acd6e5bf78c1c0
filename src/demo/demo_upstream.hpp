#pragma once
// The upstream behind `rtproxy --demo`: a cpp-httplib server on an ephemeral loopback
// port whose endpoints each show one thing the proxy records.
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "demo/cpp_httplib.hpp"

namespace rtproxy::demo {

// Endpoints:
//   GET  /             a small HTML page
//   GET  /api/users    JSON
//   GET  /slow         answers after 150 ms (shows first-byte timing)
//   GET  /stream       chunked, a few pieces (shows body_framing "chunked")
//   GET  /status/<n>   answers status n (e.g. /status/503)
//   POST /echo         echoes the request body with its Content-Type
//   GET  /flaky        503 on its first call, 200 afterwards (shows a retry)
//
// Interim responses: cpp-httplib (0.11.4) answers a request carrying
// `Expect: 100-continue` with `100 Continue` by itself before reading the body, but it
// never lets a handler write any other 1xx, so 103 Early Hints comes from InterimUpstream
// (demo/interim_upstream.hpp), the raw-socket front the proxy talks to, which relays
// every other request to this server.
class DemoUpstream {
public:
    // Binds 127.0.0.1 on a port the kernel picks and starts serving on its own thread.
    // Throws std::runtime_error when it cannot bind.
    DemoUpstream();
    ~DemoUpstream();
    DemoUpstream(const DemoUpstream&) = delete;
    DemoUpstream& operator=(const DemoUpstream&) = delete;

    std::string host() const { return "127.0.0.1"; }
    std::uint16_t port() const { return port_; }

    // Idempotent; returns once the server thread has finished.
    void stop();

private:
    void add_routes();

    httplib::Server server_;
    std::uint16_t port_ = 0;
    std::atomic<unsigned> flaky_calls_{0};
    std::thread thread_;
};

}  // namespace rtproxy::demo
