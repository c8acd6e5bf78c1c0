#include "proxy/tunnel.hpp"

#include <array>
#include <optional>

#include "proxy/use_tuple.hpp"
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/ssl/error.hpp>
#include <asio/write.hpp>

#include "proxy/io_error.hpp"

namespace rtproxy::proxy {

namespace {

using asio::ip::tcp;
using record::Op;
using record::Peer;
using record::Phase;
using ClosedBy = record::TunnelRecord::ClosedBy;

struct Shared {
    std::optional<ClosedBy> closed_by;
    std::vector<record::ErrorRecord> errors;
    int attempt;
};

// The two ends seen alike: the client's socket and the upstream connection (plain or TLS).
asio::awaitable<std::tuple<std::error_code, std::size_t>> read_some(tcp::socket& s, asio::mutable_buffer b) {
    co_return co_await s.async_read_some(b, use_tuple);
}
asio::awaitable<std::tuple<std::error_code, std::size_t>> read_some(UpstreamConnection& c, asio::mutable_buffer b) {
    co_return co_await c.read_some(b);
}
asio::awaitable<std::tuple<std::error_code, std::size_t>> write_bytes(tcp::socket& s, asio::const_buffer b) {
    co_return co_await asio::async_write(s, b, use_tuple);
}
asio::awaitable<std::tuple<std::error_code, std::size_t>> write_bytes(UpstreamConnection& c, asio::const_buffer b) {
    co_return co_await c.write(b);
}
void shutdown_send(tcp::socket& s) {
    std::error_code ignored;
    s.shutdown(tcp::socket::shutdown_send, ignored);
}
void shutdown_send(UpstreamConnection& c) { c.shutdown_send(); }
void close_end(tcp::socket& s) {
    std::error_code ignored;
    s.close(ignored);
}
void close_end(UpstreamConnection& c) { c.close(); }

template <class From, class To>
asio::awaitable<void> copy_one_way(From& from, To& to, Peer from_peer, Peer to_peer, std::uint64_t& bytes,
                                   Shared& shared) {
    std::array<char, 16 * 1024> buffer;
    for (;;) {
        auto [rec, n] = co_await read_some(from, asio::buffer(buffer));
        if (rec) {
            if (!shared.closed_by) shared.closed_by = from_peer == Peer::client ? ClosedBy::client : ClosedBy::upstream;
            if (rec == asio::error::eof || rec == asio::ssl::error::stream_truncated) {
                // Half-close: the other side may still have things to say.
                shutdown_send(to);
            } else if (rec != asio::error::operation_aborted) {
                shared.errors.push_back(io_error(Op::read, from_peer, Phase::tunnel, rec, bytes, shared.attempt));
                close_end(to);
                close_end(from);
            }
            co_return;
        }
        auto [wec, written] = co_await write_bytes(to, asio::buffer(buffer.data(), n));
        bytes += written;
        if (wec) {
            if (wec != asio::error::operation_aborted)
                shared.errors.push_back(io_error(Op::write, to_peer, Phase::tunnel, wec, bytes, shared.attempt));
            if (!shared.closed_by) shared.closed_by = to_peer == Peer::client ? ClosedBy::client : ClosedBy::upstream;
            close_end(to);
            close_end(from);
            co_return;
        }
    }
}

}  // namespace

asio::awaitable<TunnelResult> run_tunnel(ClientSide& client, UpstreamConnection& upstream, std::string switching_head,
                                         std::string protocol, int attempt) {
    using namespace asio::experimental::awaitable_operators;
    TunnelResult result;
    result.tunnel.protocol = std::move(protocol);
    Shared shared{std::nullopt, {}, attempt};

    // Bytes that arrived right behind the heads belong to the new protocol already.
    std::string to_client = std::move(switching_head);
    to_client.append(upstream.in.readable());
    result.tunnel.upstream_to_client_bytes = upstream.in.size();
    upstream.in.consume(upstream.in.size());
    auto [ec1, n1] = co_await asio::async_write(client.socket, asio::buffer(to_client), use_tuple);
    (void)n1;
    if (ec1) {
        result.errors.push_back(io_error(Op::write, Peer::client, Phase::tunnel, ec1, 0, attempt));
        result.tunnel.closed_by = ClosedBy::client;
        co_return result;
    }
    if (!client.in.empty()) {
        auto [ec2, n2] = co_await upstream.write(asio::buffer(client.in.readable().data(), client.in.size()));
        result.tunnel.client_to_upstream_bytes += n2;
        client.in.consume(client.in.size());
        if (ec2) {
            result.errors.push_back(io_error(Op::write, Peer::upstream, Phase::tunnel, ec2, 0, attempt));
            result.tunnel.closed_by = ClosedBy::upstream;
            co_return result;
        }
    }

    co_await (copy_one_way(client.socket, upstream, Peer::client, Peer::upstream,
                           result.tunnel.client_to_upstream_bytes, shared) &&
              copy_one_way(upstream, client.socket, Peer::upstream, Peer::client,
                           result.tunnel.upstream_to_client_bytes, shared));
    result.tunnel.closed_by = shared.closed_by.value_or(ClosedBy::client);
    result.errors = std::move(shared.errors);
    co_return result;
}

}  // namespace rtproxy::proxy
