#include "harness/socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

namespace rtproxy::integration {

namespace {

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

}  // namespace

std::string_view to_string(ReadStatus status) {
    switch (status) {
        case ReadStatus::data: return "data";
        case ReadStatus::eof: return "eof";
        case ReadStatus::reset: return "reset";
        case ReadStatus::timeout: return "timeout";
        case ReadStatus::error: return "error";
    }
    return "?";
}

Socket::Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

Socket& Socket::operator=(Socket&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

Socket::~Socket() { close(); }

Socket Socket::connect_to_loopback(std::uint16_t port, std::optional<int> receive_buffer) {
    Socket s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (!s.valid()) throw_errno("socket");
    if (receive_buffer) {
        int size = *receive_buffer;
        ::setsockopt(s.fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }
    auto addr = loopback(port);
    if (::connect(s.fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw_errno("connect 127.0.0.1:" + std::to_string(port));
    return s;
}

Socket Socket::bind_loopback(bool listen) {
    Socket s{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (!s.valid()) throw_errno("socket");
    auto addr = loopback(0);
    if (::bind(s.fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw_errno("bind 127.0.0.1:0");
    if (listen && ::listen(s.fd_, 128) != 0) throw_errno("listen");
    return s;
}

Socket Socket::accept(Millis timeout) const {
    pollfd pfd{fd_, POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
    if (ready <= 0) return Socket{};
    return Socket{::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC)};
}

std::uint16_t Socket::local_port() const {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) throw_errno("getsockname");
    return ntohs(addr.sin_port);
}

ReadResult Socket::read_some(std::string& out, std::size_t max, Millis timeout) {
    if (fd_ < 0) return {ReadStatus::error, 0, "socket closed"};
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        pollfd pfd{fd_, POLLIN, 0};
        int ready = ::poll(&pfd, 1, remaining_ms(deadline));
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) return {ReadStatus::timeout, 0, {}};
        char buf[65536];
        ssize_t n = ::recv(fd_, buf, std::min(max, sizeof buf), 0);
        if (n > 0) {
            out.append(buf, static_cast<std::size_t>(n));
            return {ReadStatus::data, static_cast<std::size_t>(n), {}};
        }
        if (n == 0) return {ReadStatus::eof, 0, {}};
        if (errno == EINTR || errno == EAGAIN) continue;
        if (errno == ECONNRESET) return {ReadStatus::reset, 0, std::strerror(errno)};
        return {ReadStatus::error, 0, std::strerror(errno)};
    }
}

void Socket::write_all(std::string_view bytes, Millis timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!bytes.empty()) {
        pollfd pfd{fd_, POLLOUT, 0};
        int ready = ::poll(&pfd, 1, remaining_ms(deadline));
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) throw IoTimeout("write: peer did not read within " + std::to_string(timeout.count()) + " ms");
        ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            throw WriteFailed(std::string("write: ") + std::strerror(errno));
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void Socket::shutdown_write() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void Socket::shutdown_both() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

void Socket::reset() {
    if (fd_ < 0) return;
    linger lin{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lin, sizeof lin);
    close();
}

void Socket::close() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

}  // namespace rtproxy::integration
