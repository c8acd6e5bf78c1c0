#pragma once
// A client that sends exactly the bytes a test wrote (malformed ones included) and reads
// responses the way a strict HTTP/1.1 client would, telling a complete response from a
// cut one.
#include <cstdint>
#include <optional>
#include <string>

#include "harness/buffered_reader.hpp"
#include "harness/http_text.hpp"
#include "harness/socket.hpp"

namespace rtproxy::integration {

struct HttpResponse {
    std::string version;
    int status = 0;  // 0: not even a status line arrived
    std::string reason;
    FieldList headers;
    std::string body;
    FieldList trailers;
    std::string raw;        // every byte of this response as received
    bool complete = false;  // false: the connection ended before the framing said it would
    ReadStatus ended_by = ReadStatus::data;  // eof / reset when !complete

    std::optional<std::string> header(std::string_view name) const;
};

class RawClient {
public:
    // `receive_buffer`: a small SO_RCVBUF makes a slow client that back-pressures the proxy.
    explicit RawClient(std::uint16_t port, std::optional<int> receive_buffer = {});

    void send(std::string_view bytes);
    // Waits (bounded) until rtproxy has read every byte sent so far; false on timeout.
    bool wait_until_proxy_read_all(Millis timeout = default_io_timeout) const;
    // One response (a 1xx included). `to_head`: the request was HEAD, so no body follows.
    HttpResponse read_response(bool to_head = false, Millis timeout = default_io_timeout);
    // The next non-1xx response.
    HttpResponse read_final_response(bool to_head = false, Millis timeout = default_io_timeout);

    std::string read_until(std::string_view delimiter, Millis timeout = default_io_timeout);
    std::string read_exact(std::size_t n, Millis timeout = default_io_timeout);
    struct UntilClose {
        std::string bytes;
        ReadStatus how = ReadStatus::eof;
    };
    UntilClose read_all_until_close(Millis timeout = default_io_timeout);
    // Waits for the proxy to close the connection; `timeout` when it stayed open.
    ReadStatus wait_for_close(Millis timeout = default_io_timeout);

    void close();
    void reset();

private:
    Socket socket_;
    BufferedReader reader_;
};

}  // namespace rtproxy::integration
