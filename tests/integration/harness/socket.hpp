#pragma once
// A TCP socket on 127.0.0.1 that never blocks forever: every read and write is bounded by
// poll(), so a proxy bug shows up as a failed test, never as a hung one.
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rtproxy::integration {

using Millis = std::chrono::milliseconds;
inline constexpr Millis default_io_timeout{10000};

// How a read ended: the difference between `eof` (FIN) and `reset` (RST) is what several
// tests are about, so it is never folded into one "closed".
enum class ReadStatus { data, eof, reset, timeout, error };
std::string_view to_string(ReadStatus status);

struct ReadResult {
    ReadStatus status = ReadStatus::data;
    std::size_t bytes = 0;
    std::string error;  // strerror text for `error`
};

// Thrown when a bounded wait ran out.
struct IoTimeout : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Thrown when the peer closed (or reset) the stream before the bytes a caller needed arrived.
struct StreamEnded : std::runtime_error {
    StreamEnded(ReadStatus how, const std::string& what) : std::runtime_error(what), how(how) {}
    ReadStatus how;
};

// Thrown when a write fails (the peer went away).
struct WriteFailed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Socket {
public:
    Socket() = default;
    explicit Socket(int fd) : fd_(fd) {}
    Socket(Socket&& other) noexcept;
    Socket& operator=(Socket&& other) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket();

    // `receive_buffer` set before connect() so the window is small from the handshake on
    // (a "slow" client).
    static Socket connect_to_loopback(std::uint16_t port, std::optional<int> receive_buffer = {});
    // Bound to 127.0.0.1 on an ephemeral port; listening only when `listen` is true
    // (a bound, non-listening socket gives a port that refuses connections once closed).
    static Socket bind_loopback(bool listen);

    // An invalid Socket when nothing arrived within `timeout` or the listener was shut down.
    Socket accept(Millis timeout) const;

    bool valid() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    std::uint16_t local_port() const;

    // Appends up to `max` bytes to `out`.
    ReadResult read_some(std::string& out, std::size_t max, Millis timeout);
    // Throws WriteFailed or IoTimeout.
    void write_all(std::string_view bytes, Millis timeout = default_io_timeout);

    void shutdown_write();
    // Wakes any thread polling this socket (used by stop()); the fd stays owned here.
    void shutdown_both();
    // SO_LINGER {1, 0} then close: the kernel sends RST instead of FIN.
    void reset();
    void close();

private:
    int fd_ = -1;
};

}  // namespace rtproxy::integration
