#pragma once
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>

#include "proxy/server_context.hpp"
#include "proxy/upstream_pool.hpp"

namespace rtproxy::proxy {

// One client connection: request after request (keep-alive, pipelining answered in
// order) until the client closes, a request says close, or something fails.
// `tls`: the listener's TLS context (--tls-cert), or null for plain HTTP.
asio::awaitable<void> serve_client(ServerContext& server, UpstreamPool& pool, asio::ip::tcp::socket socket,
                                   asio::ssl::context* tls);

}  // namespace rtproxy::proxy
