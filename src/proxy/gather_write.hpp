#pragma once
// Collects the pieces of one write (framing rtproxy makes + views of payload it relays)
// so a head, chunk headers and body bytes leave in a single writev instead of one
// syscall each.
#include <deque>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "proxy/use_tuple.hpp"
#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace rtproxy::proxy {

class GatherWrite {
public:
    void add_owned(std::string bytes) {
        if (bytes.empty()) return;
        owned_.push_back(std::move(bytes));
        buffers_.emplace_back(asio::buffer(owned_.back()));
        size_ += owned_.back().size();
    }
    // `bytes` must stay valid until write() completes.
    void add_view(std::string_view bytes) {
        if (bytes.empty()) return;
        buffers_.emplace_back(asio::buffer(bytes.data(), bytes.size()));
        size_ += bytes.size();
    }
    bool empty() const { return buffers_.empty(); }
    std::size_t size() const { return size_; }
    void clear() {
        owned_.clear();
        buffers_.clear();
        size_ = 0;
    }

    struct Result {
        std::error_code ec;
        std::size_t written = 0;
    };
    asio::awaitable<Result> write(asio::ip::tcp::socket& socket) {
        Result r;
        if (!buffers_.empty()) {
            auto [ec, n] = co_await asio::async_write(socket, buffers_, use_tuple);
            r = {ec, n};
        }
        clear();
        co_return r;
    }

private:
    std::deque<std::string> owned_;  // deque: growing it never moves the strings buffers_ points into
    std::vector<asio::const_buffer> buffers_;
    std::size_t size_ = 0;
};

}  // namespace rtproxy::proxy
