#include "harness/peer_read.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace rtproxy::integration {
namespace {

// /proc/net/tcp writes an IPv4 endpoint as the address in host byte order, then the port,
// both in hex: 127.0.0.1:8080 is "0100007F:1F90".
std::string proc_endpoint(const sockaddr_in& a) {
    char text[16];
    std::snprintf(text, sizeof text, "%08X:%04X", static_cast<unsigned>(a.sin_addr.s_addr),
                  static_cast<unsigned>(ntohs(a.sin_port)));
    return text;
}

sockaddr_in endpoint(int fd, bool peer) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    const int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len)
                        : ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    if (rc != 0 || a.sin_family != AF_INET) throw std::runtime_error("wait_until_peer_read_all: not a connected IPv4 socket");
    return a;
}

// The peer socket's receive queue in bytes, or nullopt when no such socket is listed.
std::optional<unsigned long> unread_by(const std::string& local, const std::string& remote) {
    std::ifstream table("/proc/net/tcp");
    std::string line;
    std::getline(table, line);  // column titles
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, loc, rem, state, queues;
        fields >> slot >> loc >> rem >> state >> queues;  // queues: "tx_queue:rx_queue"
        if (loc != local || rem != remote) continue;
        const auto colon = queues.find(':');
        if (colon == std::string::npos) return std::nullopt;
        return std::stoul(queues.substr(colon + 1), nullptr, 16);
    }
    return std::nullopt;
}

}  // namespace

bool wait_until_peer_read_all(const Socket& ours, Millis timeout) {
    // The peer's socket has our remote end as its local one, and ours as its remote.
    const auto peer_local = proc_endpoint(endpoint(ours.fd(), true));
    const auto peer_remote = proc_endpoint(endpoint(ours.fd(), false));
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto unread = unread_by(peer_local, peer_remote);
        if (unread && *unread == 0) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling a condition, bounded by the deadline
    }
}

}  // namespace rtproxy::integration
