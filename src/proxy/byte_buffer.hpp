#pragma once
// A read buffer with a consumed front: bytes are appended at the back by socket reads and
// consumed from the front by the codec. Views into readable() stay valid until the next
// prepare(), so decoded payload can be written out without a copy.
#include <cstddef>
#include <cstring>
#include <string_view>
#include <vector>

#include <asio/buffer.hpp>

namespace rtproxy::proxy {

class ByteBuffer {
public:
    explicit ByteBuffer(std::size_t initial = 16 * 1024) : storage_(initial) {}

    std::string_view readable() const { return {storage_.data() + begin_, end_ - begin_}; }
    std::size_t size() const { return end_ - begin_; }
    bool empty() const { return begin_ == end_; }

    void consume(std::size_t n) {
        begin_ += n;
        if (begin_ == end_) begin_ = end_ = 0;
    }

    // Space for at least `min_free` more bytes at the back (moves unread bytes to the front
    // or grows when needed).
    asio::mutable_buffer prepare(std::size_t min_free = 16 * 1024) {
        if (storage_.size() - end_ < min_free) {
            if (begin_ > 0) {
                std::memmove(storage_.data(), storage_.data() + begin_, end_ - begin_);
                end_ -= begin_;
                begin_ = 0;
            }
            if (storage_.size() - end_ < min_free) storage_.resize(end_ + min_free);
        }
        return asio::buffer(storage_.data() + end_, storage_.size() - end_);
    }
    void commit(std::size_t n) { end_ += n; }

    void append(std::string_view bytes) {
        auto space = prepare(bytes.size());
        std::memcpy(space.data(), bytes.data(), bytes.size());
        commit(bytes.size());
    }

private:
    std::vector<char> storage_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

}  // namespace rtproxy::proxy
