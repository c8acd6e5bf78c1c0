#include "harness/buffered_reader.hpp"

#include <algorithm>
#include <chrono>

namespace rtproxy::integration {

namespace {

Millis left_until(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    return left.count() < 0 ? Millis{0} : left;
}

}  // namespace

BufferedReader::BufferedReader(Socket& socket, std::function<void(std::string_view)> on_received)
    : socket_(socket), on_received_(std::move(on_received)) {}

ReadStatus BufferedReader::fill(Millis timeout) {
    auto before = buffer_.size();
    auto result = socket_.read_some(buffer_, 65536, timeout);
    if (result.status == ReadStatus::data && on_received_)
        on_received_(std::string_view(buffer_).substr(before));
    return result.status;
}

std::string BufferedReader::take(std::size_t n) {
    std::string out = buffer_.substr(0, n);
    buffer_.erase(0, n);
    if (capture_) capture_->append(out);
    return out;
}

std::string BufferedReader::read_until(std::string_view delimiter, Millis timeout, std::size_t max_bytes) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t searched = 0;
    for (;;) {
        auto at = buffer_.find(delimiter, searched);
        if (at != std::string::npos) return take(at + delimiter.size());
        if (buffer_.size() > max_bytes)
            throw std::runtime_error("no " + std::string(delimiter.size() == 4 ? "CRLFCRLF" : "delimiter") +
                                     " within " + std::to_string(max_bytes) + " bytes");
        searched = buffer_.size() >= delimiter.size() ? buffer_.size() - delimiter.size() + 1 : 0;
        auto status = fill(left_until(deadline));
        if (status == ReadStatus::timeout)
            throw IoTimeout("timed out after " + std::to_string(timeout.count()) + " ms waiting for a delimiter; had " +
                            std::to_string(buffer_.size()) + " bytes: " + buffer_.substr(0, 200));
        if (status != ReadStatus::data)
            throw StreamEnded(status, "stream ended (" + std::string(to_string(status)) + ") after " +
                                          std::to_string(buffer_.size()) + " bytes, before the delimiter");
    }
}

std::string BufferedReader::read_exact(std::size_t n, Millis timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (buffer_.size() < n) {
        auto status = fill(left_until(deadline));
        if (status == ReadStatus::timeout)
            throw IoTimeout("timed out after " + std::to_string(timeout.count()) + " ms with " +
                            std::to_string(buffer_.size()) + " of " + std::to_string(n) + " bytes");
        if (status != ReadStatus::data)
            throw StreamEnded(status, "stream ended (" + std::string(to_string(status)) + ") with " +
                                          std::to_string(buffer_.size()) + " of " + std::to_string(n) + " bytes");
    }
    return take(n);
}

std::string BufferedReader::read_until_eof(ReadStatus& how, Millis timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto status = fill(left_until(deadline));
        if (status == ReadStatus::timeout)
            throw IoTimeout("timed out after " + std::to_string(timeout.count()) + " ms waiting for the peer to close");
        if (status != ReadStatus::data) {
            how = status;
            return take(buffer_.size());
        }
    }
}

ReadStatus BufferedReader::wait_for_close(Millis timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto status = fill(left_until(deadline));
        if (status != ReadStatus::data) return status;
    }
}

std::string BufferedReader::read_some(std::size_t max, Millis timeout) {
    if (buffer_.empty()) {
        auto status = fill(timeout);
        if (status == ReadStatus::timeout) throw IoTimeout("no bytes within " + std::to_string(timeout.count()) + " ms");
        if (status != ReadStatus::data) throw StreamEnded(status, "stream ended (" + std::string(to_string(status)) + ")");
    }
    return take(std::min(max, buffer_.size()));
}

}  // namespace rtproxy::integration
