#pragma once
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "proxy/server_context.hpp"
#include "proxy/upstream_pool.hpp"

namespace rtproxy::proxy {

// One client connection: request after request (keep-alive, pipelining answered in
// order) until the client closes, a request says close, or something fails.
asio::awaitable<void> serve_client(ServerContext& server, UpstreamPool& pool, asio::ip::tcp::socket socket);

}  // namespace rtproxy::proxy
