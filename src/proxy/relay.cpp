#include "proxy/relay.hpp"

#include <tuple>

#include "proxy/use_tuple.hpp"
#include <asio/use_awaitable.hpp>

#include "proxy/gather_write.hpp"
#include "proxy/io_error.hpp"

namespace rtproxy::proxy {

namespace {
// Bodies are read in large pieces: a 1 MiB response then costs 16 read/write pairs, not
// 64. Memory stays bounded per connection, and every piece is written out at once.
constexpr std::size_t body_read_size = 64 * 1024;
}  // namespace

using record::Op;
using record::Peer;
using record::Phase;

namespace {

// What one write to the client came to, kept in `result`: a failed write is the client's
// error (with the body bytes read so far); any write that succeeded took the head with it.
// False when the client is gone.
bool note_client_write(RelayResult& result, std::error_code ec, int attempt) {
    if (ec) {
        result.error = io_error(Op::write, Peer::client, Phase::response_body, ec, result.body_bytes, attempt);
        result.client_failed = true;
        return false;
    }
    result.head_written = true;
    return true;
}

}  // namespace

std::optional<std::string_view> body_read_with_head(const UpstreamConnection& upstream, http::Framing upstream_framing) {
    const auto available = upstream.in.readable();
    switch (upstream_framing.kind) {
        case http::BodyFraming::none: return std::string_view{};
        case http::BodyFraming::length:
            if (upstream_framing.content_length <= available.size())
                return available.substr(0, static_cast<std::size_t>(upstream_framing.content_length));
            return std::nullopt;
        case http::BodyFraming::chunked:
        case http::BodyFraming::close: return std::nullopt;
    }
    return std::nullopt;
}

RelayResult relayed_at_once(std::error_code ec, std::uint64_t body_bytes, int attempt) {
    RelayResult result;
    result.body_bytes = body_bytes;
    note_client_write(result, ec, attempt);
    return result;
}

asio::awaitable<RelayResult> relay_response(UpstreamConnection& upstream, Stream& client,
                                            std::string head, http::Framing upstream_framing,
                                            ClientFraming client_framing, const http::Limits& limits, int attempt) {
    RelayResult result;
    http::BodyDecoder decoder(upstream_framing, limits);
    GatherWrite out;
    out.adopt(std::move(head));
    const bool chunked = client_framing == ClientFraming::chunked;

    // What a write of `out` came to; false when the client is gone. Not a coroutine of its
    // own: the write is awaited where it is needed, and a coroutine frame per write is a
    // measurable share of a small response's cost.
    auto written = [&](std::error_code ec) {
        out.clear();
        return note_client_write(result, ec, attempt);
    };

    // Bytes already buffered are decoded first. Every later pass starts with a read: a pass
    // ends short of done only when the decoder can take nothing more from what is buffered
    // (part of a chunk-size line, of a CRLF, of a trailer), left-over bytes or not.
    bool read_first = upstream.in.empty();
    while (upstream_framing.kind != http::BodyFraming::none && !decoder.done()) {
        if (read_first) {
            if (!out.empty()) {
                auto [ec, n] = co_await out.write(client);
                if (!written(ec)) co_return result;
            }
            auto [ec, n] =
                co_await upstream.read_some(upstream.in.prepare(body_read_size));
            if (ec) {
                // A close-delimited body ends at EOF (over TLS, with or without close_notify).
                if (is_end_of_stream(ec) && decoder.finish_at_eof()) break;
                result.error = io_error(Op::read, Peer::upstream, Phase::response_body, ec, result.body_bytes, attempt);
                co_return result;
            }
            upstream.in.commit(n);
        }
        read_first = true;
        std::string_view available = upstream.in.readable();
        std::size_t used = 0;
        while (!decoder.done()) {
            auto step = decoder.decode(available.substr(used));
            if (step.error) {
                result.error = protocol_error(Peer::upstream, Phase::response_body, decoder.error().kind,
                                              decoder.error().reason, result.body_bytes, attempt);
                // What was decoded so far still goes out; the client then sees the cut.
                if (!out.empty()) {
                    auto [ec, n] = co_await out.write(client);
                    written(ec);
                }
                co_return result;
            }
            if (step.consumed == 0) break;
            used += step.consumed;
            if (!step.data.empty()) {
                result.body_bytes += step.data.size();
                if (chunked) {
                    out.add_chunk(step.data);
                } else if (client_framing != ClientFraming::none) {
                    out.add_view(step.data);
                }
            }
        }
        std::error_code write_error;
        if (!out.empty()) std::tie(write_error, std::ignore) = co_await out.write(client);
        const bool ok = written(write_error);
        upstream.in.consume(used);
        if (!ok) co_return result;
    }

    result.trailers = decoder.trailers();
    if (chunked) out.add_last_chunk(decoder.trailers());
    if (!out.empty()) {
        auto [ec, n] = co_await out.write(client);
        written(ec);
    }
    co_return result;
}

}  // namespace rtproxy::proxy
