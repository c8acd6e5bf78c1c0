#pragma once
// Completion token for coroutines that want errors as values, not exceptions: I/O errors
// are expected here (they are what rtproxy records), so `auto [ec, n] = co_await ...`.
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace rtproxy::proxy {

inline constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

}  // namespace rtproxy::proxy
