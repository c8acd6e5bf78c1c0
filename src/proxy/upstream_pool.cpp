#include "proxy/upstream_pool.hpp"

#include "proxy/use_tuple.hpp"
#include <asio/connect.hpp>
#include <asio/ip/address.hpp>
#include <asio/ssl/host_name_verification.hpp>
#include <asio/use_awaitable.hpp>

#include "proxy/io_error.hpp"
#include "proxy/timeout.hpp"

namespace rtproxy::proxy {

namespace {

using Clock = std::chrono::steady_clock;
using asio::ip::tcp;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

}  // namespace

std::string endpoint_text(const tcp::endpoint& endpoint) {
    auto address = endpoint.address();
    if (address.is_v6()) return "[" + address.to_string() + "]:" + std::to_string(endpoint.port());
    return address.to_string() + ":" + std::to_string(endpoint.port());
}

UpstreamPool::UpstreamPool(asio::io_context& io, const Config& config) : io_(io), config_(config) {
    if (config.upstream.scheme != "https") return;
    tls_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    if (config.upstream_insecure) {
        tls_->set_verify_mode(asio::ssl::verify_none);
    } else {
        tls_->set_verify_mode(asio::ssl::verify_peer);
        if (config.upstream_ca.empty())
            tls_->set_default_verify_paths();
        else
            tls_->load_verify_file(config.upstream_ca);
    }
}

UpstreamPool::~UpstreamPool() = default;

std::unique_ptr<UpstreamConnection> UpstreamPool::take_idle(Clock::time_point now) {
    while (!idle_.empty()) {
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        if (now - connection->idle_since < config_.upstream_idle_timeout) {
            connection->reused = true;
            return connection;
        }
    }
    return nullptr;
}

void UpstreamPool::give_back(std::unique_ptr<UpstreamConnection> connection) {
    connection->idle_since = Clock::now();
    // Bound the pool like Go's MaxIdleConnsPerHost would, but generously: a debugging
    // proxy in front of one upstream.
    if (idle_.size() >= 256) idle_.erase(idle_.begin());
    idle_.push_back(std::move(connection));
}

asio::awaitable<DialResult> UpstreamPool::dial(int attempt) {
    DialResult result;
    const auto& upstream = config_.upstream;
    std::vector<tcp::endpoint> endpoints;

    std::error_code parse_error;
    auto literal = asio::ip::make_address(upstream.host, parse_error);
    if (!parse_error) {
        endpoints.emplace_back(literal, upstream.port);
    } else {
        const auto started = Clock::now();
        tcp::resolver resolver(io_);
        auto [ec, resolved] = co_await resolver.async_resolve(upstream.host, std::to_string(upstream.port),
                                                              use_tuple);
        result.dns_ms = ms_since(started);
        if (ec) {
            result.error = io_error(record::Op::resolve, record::Peer::upstream, record::Phase::connect, ec, 0, attempt);
            result.error->kind = "unresolved";
            co_return result;
        }
        for (const auto& entry : resolved) endpoints.push_back(entry.endpoint());
    }

    const auto started = Clock::now();
    tcp::socket socket(io_);
    auto connect = [&]() -> asio::awaitable<std::error_code> {
        auto [ec, endpoint] = co_await asio::async_connect(socket, endpoints, use_tuple);
        (void)endpoint;
        co_return ec;
    };
    auto outcome = co_await within(config_.connect_timeout, connect());
    result.connect_ms = ms_since(started);
    if (!outcome || *outcome) {
        const bool timed_out = !outcome;
        result.error = io_error(record::Op::connect, record::Peer::upstream, record::Phase::connect,
                                timed_out ? std::error_code(asio::error::timed_out) : *outcome, 0, attempt, timed_out);
        if (timed_out)
            result.error->message = "no connection within --connect-timeout (" +
                                    std::to_string(config_.connect_timeout.count()) + " ms)";
        co_return result;
    }
    socket.set_option(tcp::no_delay(true));
    std::unique_ptr<UpstreamConnection> connection;
    if (tls_) {
        connection = co_await handshake(std::move(socket), result, attempt);
        if (!connection) co_return result;
    } else {
        connection = std::make_unique<UpstreamConnection>(std::move(socket));
    }
    std::error_code ignored;
    connection->local = endpoint_text(connection->tcp().local_endpoint(ignored));
    connection->remote = endpoint_text(connection->tcp().remote_endpoint(ignored));
    result.connection = std::move(connection);
    co_return result;
}

// TLS toward an https upstream: SNI and certificate checks for the upstream's host name
// (unless --upstream-insecure), under --connect-timeout like the TCP connect.
asio::awaitable<std::unique_ptr<UpstreamConnection>> UpstreamPool::handshake(tcp::socket socket, DialResult& result,
                                                                             int attempt) {
    const auto& host = config_.upstream.host;
    const auto started = Clock::now();
    UpstreamConnection::TlsStream stream(std::move(socket), *tls_);
    std::error_code not_an_ip;
    asio::ip::make_address(host, not_an_ip);
    if (not_an_ip) SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
    if (!config_.upstream_insecure) stream.set_verify_callback(asio::ssl::host_name_verification(host));
    auto shake = [&]() -> asio::awaitable<std::error_code> {
        auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::client, use_tuple);
        co_return ec;
    };
    auto outcome = co_await within(config_.connect_timeout, shake());
    result.tls_ms = ms_since(started);
    if (!outcome || *outcome) {
        const bool timed_out = !outcome;
        result.error = io_error(record::Op::tls, record::Peer::upstream, record::Phase::connect,
                                timed_out ? std::error_code(asio::error::timed_out) : *outcome, 0, attempt, timed_out);
        if (!timed_out) result.error->kind = "tls";
        co_return nullptr;
    }
    co_return std::make_unique<UpstreamConnection>(std::move(stream));
}

}  // namespace rtproxy::proxy
