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

struct Shared {
    std::optional<ClosedBy> closed_by;
    std::vector<record::ErrorRecord> errors;
    int attempt;
};

asio::awaitable<void> copy_one_way(Stream& from, Stream& to, Peer from_peer, Peer to_peer, std::uint64_t& bytes,
                                   Shared& shared) {
    std::array<char, 16 * 1024> buffer;
    for (;;) {
        auto [rec, n] = co_await from.read_some(asio::buffer(buffer));
        if (rec) {
            if (!shared.closed_by) shared.closed_by = from_peer == Peer::client ? ClosedBy::client : ClosedBy::upstream;
            if (is_end_of_stream(rec)) {
                // Half-close: the other side may still have things to say.
                to.shutdown_send();
            } else if (rec != asio::error::operation_aborted) {
                shared.errors.push_back(io_error(Op::read, from_peer, Phase::tunnel, rec, bytes, shared.attempt));
                to.close();
                from.close();
            }
            co_return;
        }
        auto [wec, written] = co_await to.write(asio::buffer(buffer.data(), n));
        bytes += written;
        if (wec) {
            if (wec != asio::error::operation_aborted)
                shared.errors.push_back(io_error(Op::write, to_peer, Phase::tunnel, wec, bytes, shared.attempt));
            if (!shared.closed_by) shared.closed_by = to_peer == Peer::client ? ClosedBy::client : ClosedBy::upstream;
            to.close();
            from.close();
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
    auto [ec1, n1] = co_await client.stream.write(asio::buffer(to_client));
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

    co_await (copy_one_way(client.stream, upstream, Peer::client, Peer::upstream,
                           result.tunnel.client_to_upstream_bytes, shared) &&
              copy_one_way(upstream, client.stream, Peer::upstream, Peer::client,
                           result.tunnel.upstream_to_client_bytes, shared));
    result.tunnel.closed_by = shared.closed_by.value_or(ClosedBy::client);
    result.errors = std::move(shared.errors);
    co_return result;
}

}  // namespace rtproxy::proxy
