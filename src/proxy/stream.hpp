#pragma once
// A byte stream to a peer, plain TCP or TLS: the client's connection (a TLS listener) or
// the upstream's (an https upstream). The round trip reads and writes through it without
// caring which; only accepting and dialing know the difference.
#include <system_error>
#include <tuple>
#include <variant>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>

#include "proxy/use_tuple.hpp"

namespace rtproxy::proxy {

class Stream {
public:
    using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

    explicit Stream(asio::ip::tcp::socket s) : stream_(std::move(s)) {}
    explicit Stream(TlsStream s) : stream_(std::move(s)) {}

    bool tls() const { return std::holds_alternative<TlsStream>(stream_); }
    asio::ip::tcp::socket& tcp() {
        if (auto* t = std::get_if<TlsStream>(&stream_)) return t->next_layer();
        return std::get<asio::ip::tcp::socket>(stream_);
    }

    TlsStream& tls_stream() { return std::get<TlsStream>(stream_); }

    // Both return the operation itself, not a coroutine around it: no extra frame per I/O
    // on the per-request path. `buffers` must outlive the co_await.
    using Io = asio::awaitable<std::tuple<std::error_code, std::size_t>>;

    Io read_some(asio::mutable_buffer buffer) {
        if (auto* t = std::get_if<TlsStream>(&stream_)) return t->async_read_some(buffer, use_tuple);
        return std::get<asio::ip::tcp::socket>(stream_).async_read_some(buffer, use_tuple);
    }

    template <class ConstBuffers>
    Io write(const ConstBuffers& buffers) {
        if (auto* t = std::get_if<TlsStream>(&stream_)) return asio::async_write(*t, buffers, use_tuple);
        return asio::async_write(std::get<asio::ip::tcp::socket>(stream_), buffers, use_tuple);
    }

    // Half-close (a tunnel's other side said EOF, or a lingering close). On TLS this
    // closes the TCP write side only: TLS 1.2 has no half-close of its own.
    void shutdown_send() {
        std::error_code ignored;
        tcp().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    }
    void close() {
        std::error_code ignored;
        tcp().close(ignored);
    }

private:
    std::variant<asio::ip::tcp::socket, TlsStream> stream_;
};

}  // namespace rtproxy::proxy
