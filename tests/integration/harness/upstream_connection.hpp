#pragma once
// One connection accepted by a ScriptedUpstream, as the script sees it: read what the
// proxy sent, answer (or misbehave: reset, half-close, stall).
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "harness/buffered_reader.hpp"
#include "harness/http_text.hpp"
#include "harness/socket.hpp"

namespace rtproxy::integration {

// What the proxy sent on this connection, shared with the ScriptedUpstream so tests can
// look at it after the script ended.
struct ConnectionLog {
    mutable std::mutex mutex;
    std::string received;
};

struct ReceivedRequest {
    Head head;
    std::string method;
    std::string target;
    std::string body;
    FieldList trailers;
};

class UpstreamConnection {
public:
    UpstreamConnection(Socket socket, std::size_t index, std::shared_ptr<ConnectionLog> log);

    // 0 for the first connection the upstream accepted, 1 for the second...
    std::size_t index() const { return index_; }

    std::string read_head(Millis timeout = default_io_timeout);
    std::string read_exact(std::size_t n, Millis timeout = default_io_timeout);
    ChunkedBody read_chunked_body(Millis timeout = default_io_timeout);
    std::string read_until_eof(Millis timeout = default_io_timeout);
    // Waits until the proxy closes this connection; the status says how.
    ReadStatus wait_for_close(Millis timeout = default_io_timeout);
    // A whole request, body included (Content-Length or chunked). Answers
    // `Expect: 100-continue` with a 100 first, as a well-behaved origin does. nullopt
    // when the proxy closed the connection cleanly before starting another request.
    std::optional<ReceivedRequest> read_request(Millis timeout = default_io_timeout);

    void write(std::string_view bytes, Millis timeout = default_io_timeout);
    // Waits (bounded) until rtproxy has read every byte written so far; false on timeout.
    bool wait_until_proxy_read_all(Millis timeout = default_io_timeout) const;
    void reset();
    void shutdown_write();
    void close();
    // From ScriptedUpstream::stop(): unblock the script without racing its close().
    void abort();

private:
    Socket socket_;
    std::size_t index_;
    std::shared_ptr<ConnectionLog> log_;
    BufferedReader reader_;
    std::mutex close_mutex_;
};

}  // namespace rtproxy::integration
