#pragma once
// Decodes a message body's framing (Content-Length, chunked with extensions and
// trailers, or until close) without copying: payload comes back as views into the
// caller's input. No I/O.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/fields.hpp"
#include "http/message.hpp"
#include "http/parse_error.hpp"

namespace rtproxy::http {

class BodyDecoder {
public:
    struct Step {
        std::size_t consumed = 0;  // input bytes used (framing included); may exceed data.size()
        std::string_view data;     // payload bytes, a view into the input given to decode()
        bool error = false;        // see error()
    };

    BodyDecoder() = default;
    explicit BodyDecoder(Framing framing, Limits limits = {});

    // Decodes from the front of `input`. Call again with the rest (input.substr(consumed))
    // while !done() && !error && consumed > 0; consumed == 0 means more bytes are needed.
    // Chunk extensions are validated (token / quoted-string) and dropped: rtproxy writes
    // its own framing. Chunk sizes with a sign, 0x, leading spaces or overflow are errors.
    Step decode(std::string_view input);

    // The peer closed the connection. True if that legitimately ends the body (close-
    // delimited, or already done); false means the body was cut short.
    bool finish_at_eof();

    bool done() const { return done_; }
    const ParseError& error() const { return error_; }
    const Fields& trailers() const { return trailers_; }
    std::uint64_t payload_bytes() const { return payload_bytes_; }
    Framing framing() const { return framing_; }

private:
    Framing framing_;
    Limits limits_;
    bool done_ = false;
    std::uint64_t payload_bytes_ = 0;
    Fields trailers_;
    ParseError error_;
    // chunked state
    enum class ChunkState { size_line, data, data_crlf, trailers } state_ = ChunkState::size_line;
    std::uint64_t chunk_remaining_ = 0;
    std::size_t trailer_bytes_ = 0;
};

}  // namespace rtproxy::http
