#pragma once
// Runs one awaitable operation under a deadline. Timeouts are rare but every one must
// become an error of kind "timeout" naming the operation that was waiting.
#include <chrono>
#include <optional>
#include <variant>

#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace rtproxy::proxy {

// co_await within(timeout, op): the op's result, or nullopt when the deadline passed first
// (the op is then cancelled). `op` must be an awaitable that does not throw (use
// as_tuple / redirect_error inside).
template <class T>
asio::awaitable<std::optional<T>> within(std::chrono::steady_clock::duration timeout, asio::awaitable<T> op) {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    // The timer's wait is cancelled whenever the operation wins: as_tuple keeps that from
    // becoming a thrown exception on every call.
    auto result = co_await (std::move(op) || timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable)));
    if (result.index() == 0) co_return std::get<0>(std::move(result));
    co_return std::nullopt;
}

}  // namespace rtproxy::proxy
