#pragma once
// Framing-level reads over a Socket: "until this delimiter", "exactly n bytes", "until EOF".
// Bytes read past what a caller asked for stay buffered for the next call (pipelining).
#include <functional>
#include <string>
#include <string_view>

#include "harness/socket.hpp"

namespace rtproxy::integration {

class BufferedReader {
public:
    // `on_received` sees every byte as it comes off the socket (for "what did the peer send").
    explicit BufferedReader(Socket& socket, std::function<void(std::string_view)> on_received = {});

    // Returns the bytes up to and including `delimiter`. Throws StreamEnded / IoTimeout;
    // `max_bytes` bounds the search so a missing delimiter cannot grow the buffer forever.
    std::string read_until(std::string_view delimiter, Millis timeout = default_io_timeout,
                           std::size_t max_bytes = 1 << 20);
    std::string read_exact(std::size_t n, Millis timeout = default_io_timeout);
    // Everything until the peer closes; `how` tells whether it was FIN or RST.
    std::string read_until_eof(ReadStatus& how, Millis timeout = default_io_timeout);
    // Waits for the peer to close without expecting more bytes; returns the end status
    // (`timeout` if the connection stayed open). Any bytes that arrive are buffered.
    ReadStatus wait_for_close(Millis timeout);
    // Up to `max` bytes: what is buffered, or waits for at least one byte.
    std::string read_some(std::size_t max, Millis timeout = default_io_timeout);

    bool has_buffered() const { return !buffer_.empty(); }
    // While set, every byte handed to a caller is also appended to *capture.
    void set_capture(std::string* capture) { capture_ = capture; }

private:
    ReadStatus fill(Millis timeout);
    std::string take(std::size_t n);

    Socket& socket_;
    std::function<void(std::string_view)> on_received_;
    std::string buffer_;
    std::string* capture_ = nullptr;
};

}  // namespace rtproxy::integration
