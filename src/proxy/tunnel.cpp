#include "proxy/tunnel.hpp"

#include <array>
#include <optional>

#include "proxy/use_tuple.hpp"
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "proxy/io_error.hpp"

namespace rtproxy::proxy {

namespace {

using asio::ip::tcp;
using record::Op;
using record::Peer;
using record::Phase;
using ClosedBy = record::TunnelRecord::ClosedBy;

struct Direction {
    tcp::socket& from;
    tcp::socket& to;
    Peer from_peer;
    Peer to_peer;
    std::uint64_t& bytes;
};

struct Shared {
    std::optional<ClosedBy> closed_by;
    std::vector<record::ErrorRecord> errors;
    int attempt;
};

asio::awaitable<void> copy_one_way(Direction d, Shared& shared) {
    std::array<char, 16 * 1024> buffer;
    for (;;) {
        auto [rec, n] = co_await d.from.async_read_some(asio::buffer(buffer), use_tuple);
        if (rec) {
            if (!shared.closed_by)
                shared.closed_by = d.from_peer == Peer::client ? ClosedBy::client : ClosedBy::upstream;
            std::error_code ignored;
            if (rec == asio::error::eof) {
                // Half-close: the other side may still have things to say.
                d.to.shutdown(tcp::socket::shutdown_send, ignored);
            } else if (rec != asio::error::operation_aborted) {
                shared.errors.push_back(io_error(Op::read, d.from_peer, Phase::tunnel, rec, d.bytes, shared.attempt));
                d.to.close(ignored);
                d.from.close(ignored);
            }
            co_return;
        }
        auto [wec, written] = co_await asio::async_write(d.to, asio::buffer(buffer.data(), n),
                                                         use_tuple);
        d.bytes += written;
        if (wec) {
            if (wec != asio::error::operation_aborted)
                shared.errors.push_back(io_error(Op::write, d.to_peer, Phase::tunnel, wec, d.bytes, shared.attempt));
            if (!shared.closed_by)
                shared.closed_by = d.to_peer == Peer::client ? ClosedBy::client : ClosedBy::upstream;
            std::error_code ignored;
            d.to.close(ignored);
            d.from.close(ignored);
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
        auto [ec2, n2] = co_await asio::async_write(upstream.socket, asio::buffer(client.in.readable().data(), client.in.size()),
                                                    use_tuple);
        result.tunnel.client_to_upstream_bytes += n2;
        client.in.consume(client.in.size());
        if (ec2) {
            result.errors.push_back(io_error(Op::write, Peer::upstream, Phase::tunnel, ec2, 0, attempt));
            result.tunnel.closed_by = ClosedBy::upstream;
            co_return result;
        }
    }

    co_await (copy_one_way({client.socket, upstream.socket, Peer::client, Peer::upstream,
                            result.tunnel.client_to_upstream_bytes},
                           shared) &&
              copy_one_way({upstream.socket, client.socket, Peer::upstream, Peer::client,
                            result.tunnel.upstream_to_client_bytes},
                           shared));
    result.tunnel.closed_by = shared.closed_by.value_or(ClosedBy::client);
    result.errors = std::move(shared.errors);
    co_return result;
}

}  // namespace rtproxy::proxy
