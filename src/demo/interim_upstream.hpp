#pragma once
// The demo upstream's front door. The proxy has one upstream, and cpp-httplib (0.11.4)
// cannot write a 103, so this small raw-socket server listens on the port the proxy
// uses, answers the two interim-response endpoints itself and relays every other request
// to the cpp-httplib server (DemoUpstream) byte for byte:
//
//   GET  /early-hints   103 Early Hints (Link: </style.css>; rel=preload), then a small page
//   POST /upload        (PUT too) 100 Continue when asked, reads the body, answers its size
//
// A relayed request goes to cpp-httplib with `Connection: close`, so its answer ends at
// EOF and says "close": the proxy then opens a fresh connection for its next request,
// which keeps this relay a plain byte copy with no HTTP framing of its own.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace rtproxy::demo {

class InterimUpstream {
public:
    // Binds 127.0.0.1 on a port the kernel picks and starts accepting on its own thread;
    // `backend_port` is the cpp-httplib server on 127.0.0.1. Throws std::system_error.
    explicit InterimUpstream(std::uint16_t backend_port);
    ~InterimUpstream();
    InterimUpstream(const InterimUpstream&) = delete;
    InterimUpstream& operator=(const InterimUpstream&) = delete;

    std::string host() const { return "127.0.0.1"; }
    std::uint16_t port() const { return port_; }

    // Idempotent: stops accepting, wakes every connection and joins their threads.
    void stop();

private:
    void accept_loop();
    void serve_connection(int fd);
    void serve_requests(int fd);
    void relay_to_backend(int fd, std::string already_read);
    // Open sockets are registered so stop() can shut them down and wake their threads.
    int track(int fd);
    void untrack_and_close(int fd);

    std::uint16_t backend_port_;
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread acceptor_;

    std::mutex mutex_;
    std::set<int> open_;
    std::vector<std::thread> workers_;
};

}  // namespace rtproxy::demo
