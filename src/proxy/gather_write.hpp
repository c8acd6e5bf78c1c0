#pragma once
// Collects the pieces of one write (framing rtproxy makes + views of payload it relays)
// so a head, chunk headers and body bytes leave in a single writev instead of one
// syscall each.
#include <array>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include "http/serialize.hpp"
#include "proxy/stream.hpp"
#include "proxy/use_tuple.hpp"

namespace rtproxy::proxy {

// A contiguous list whose first N elements live inline: a write has a handful of pieces
// (a head and a body view; chunk lines), and one is made for every response, so the common
// case allocates nothing. Beyond N it moves to the heap.
template <class T, std::size_t N>
class InlineList {
public:
    void push_back(const T& value) {
        if (heap_.empty() && size_ < N) {
            inline_[size_++] = value;
            return;
        }
        if (heap_.empty()) heap_.assign(inline_.begin(), inline_.begin() + size_);
        heap_.push_back(value);
        ++size_;
    }
    void clear() {
        heap_.clear();
        size_ = 0;
    }
    bool empty() const { return size_ == 0; }
    const T* begin() const { return heap_.empty() ? inline_.data() : heap_.data(); }
    const T* end() const { return begin() + size_; }
    std::span<const T> view() const { return {begin(), size_}; }

private:
    std::array<T, N> inline_{};
    std::vector<T> heap_;
    std::size_t size_ = 0;
};

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
    // The same for a string the caller gives up (a response head): when it comes first it
    // becomes the arena itself, so it is not copied.
    void adopt(std::string&& bytes) {
        if (!arena_.empty()) return add_owned(std::string_view(bytes));
        if (bytes.empty()) return;
        pieces_.push_back({nullptr, 0, bytes.size()});
        size_ += bytes.size();
        arena_ = std::move(bytes);
    }
    // Payload wrapped in rtproxy's own chunked framing (RFC 9112 §7.1): the size line goes
    // straight into the arena, the payload stays a view. Empty data adds nothing (a
    // zero-size chunk would end the body).
    void add_chunk(std::string_view data) {
        if (data.empty()) return;
        add_framing([&](std::string& arena) { http::append_chunk_header(arena, data.size()); });
        add_view(data);
        add_owned("\r\n");
    }
    void add_last_chunk(const http::Fields& trailers) {
        add_framing([&](std::string& arena) { http::append_last_chunk(arena, trailers); });
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

    // Starts one write of everything added so far; co_await it, then clear() before adding
    // more. Not a coroutine itself, so a write costs no frame of its own. Views given to
    // add_view() must stay valid until the write completes.
    Stream::Io write(Stream& stream) {
        buffers_.clear();
        for (const auto& p : pieces_)
            buffers_.push_back(asio::const_buffer(p.view ? p.view : arena_.data() + p.offset, p.size));
        return stream.write(buffers_.view());
    }

private:
    template <class Append>
    void add_framing(Append append) {
        const auto offset = arena_.size();
        append(arena_);
        pieces_.push_back({nullptr, offset, arena_.size() - offset});
        size_ += arena_.size() - offset;
    }

    struct Piece {
        const char* view;  // null: the bytes are in arena_ at offset
        std::size_t offset;
        std::size_t size;
    };
    std::string arena_;
    InlineList<Piece, 8> pieces_;
    InlineList<asio::const_buffer, 8> buffers_;
    std::size_t size_ = 0;
};

}  // namespace rtproxy::proxy
