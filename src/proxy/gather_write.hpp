#pragma once
// Collects the pieces of one write (framing rtproxy makes + views of payload it relays)
// so a head, chunk headers and body bytes leave in a single writev instead of one
// syscall each.
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include "proxy/stream.hpp"
#include "proxy/use_tuple.hpp"

namespace rtproxy::proxy {

class GatherWrite {
public:
    // Bytes rtproxy made (a head, a chunk-size line): copied into one arena string, so
    // framing costs no allocation per piece. Pieces are recorded as offsets because the
    // arena may move while it grows; they become pointers only in write().
    void add_owned(std::string_view bytes) {
        if (bytes.empty()) return;
        pieces_.push_back({nullptr, arena_.size(), bytes.size()});
        arena_.append(bytes);
        size_ += bytes.size();
    }
    // Payload relayed as is; `bytes` must stay valid until write() completes.
    void add_view(std::string_view bytes) {
        if (bytes.empty()) return;
        pieces_.push_back({bytes.data(), 0, bytes.size()});
        size_ += bytes.size();
    }
    bool empty() const { return pieces_.empty(); }
    std::size_t size() const { return size_; }
    void clear() {
        arena_.clear();
        pieces_.clear();
        size_ = 0;
    }

    struct Result {
        std::error_code ec;
        std::size_t written = 0;
    };
    asio::awaitable<Result> write(Stream& stream) {
        Result r;
        if (!pieces_.empty()) {
            buffers_.clear();
            for (const auto& p : pieces_)
                buffers_.emplace_back(p.view ? p.view : arena_.data() + p.offset, p.size);
            auto [ec, n] = co_await stream.write(buffers_);
            r = {ec, n};
        }
        clear();
        co_return r;
    }

private:
    struct Piece {
        const char* view;  // null: the bytes are in arena_ at offset
        std::size_t offset;
        std::size_t size;
    };
    std::string arena_;
    std::vector<Piece> pieces_;
    std::vector<asio::const_buffer> buffers_;
    std::size_t size_ = 0;
};

}  // namespace rtproxy::proxy
