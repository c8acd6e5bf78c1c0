#include "harness/upstream_connection.hpp"

#include <stdexcept>

#include "harness/peer_read.hpp"

namespace rtproxy::integration {

UpstreamConnection::UpstreamConnection(Socket socket, std::size_t index, std::shared_ptr<ConnectionLog> log)
    : socket_(std::move(socket)),
      index_(index),
      log_(std::move(log)),
      reader_(socket_, [log = log_](std::string_view bytes) {
          std::lock_guard lock(log->mutex);
          log->received.append(bytes);
      }) {}

std::string UpstreamConnection::read_head(Millis timeout) { return reader_.read_until("\r\n\r\n", timeout); }

std::string UpstreamConnection::read_exact(std::size_t n, Millis timeout) { return reader_.read_exact(n, timeout); }

ChunkedBody UpstreamConnection::read_chunked_body(Millis timeout) {
    return integration::read_chunked_body(reader_, timeout);
}

std::string UpstreamConnection::read_until_eof(Millis timeout) {
    ReadStatus how{};
    return reader_.read_until_eof(how, timeout);
}

ReadStatus UpstreamConnection::wait_for_close(Millis timeout) { return reader_.wait_for_close(timeout); }

std::optional<ReceivedRequest> UpstreamConnection::read_request(Millis timeout) {
    std::string text;
    try {
        text = read_head(timeout);
    } catch (const StreamEnded&) {
        if (!reader_.has_buffered()) return std::nullopt;
        throw;
    }
    ReceivedRequest request;
    request.head = parse_head(text);
    auto sp1 = request.head.start_line.find(' ');
    auto sp2 = request.head.start_line.find(' ', sp1 + 1);
    request.method = request.head.start_line.substr(0, sp1);
    request.target = request.head.start_line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (auto expect = request.head.field("Expect"); expect && iequals(*expect, "100-continue"))
        write("HTTP/1.1 100 Continue\r\n\r\n");
    auto te = request.head.field("Transfer-Encoding");
    if (te && icontains(*te, "chunked")) {
        auto body = read_chunked_body(timeout);
        request.body = std::move(body.body);
        request.trailers = std::move(body.trailers);
    } else if (auto cl = request.head.field("Content-Length")) {
        request.body = read_exact(std::stoull(*cl), timeout);
    }
    return request;
}

void UpstreamConnection::write(std::string_view bytes, Millis timeout) { socket_.write_all(bytes, timeout); }

bool UpstreamConnection::wait_until_proxy_read_all(Millis timeout) const {
    return wait_until_peer_read_all(socket_, timeout);
}

void UpstreamConnection::reset() {
    std::lock_guard lock(close_mutex_);
    socket_.reset();
}

void UpstreamConnection::shutdown_write() { socket_.shutdown_write(); }

void UpstreamConnection::close() {
    std::lock_guard lock(close_mutex_);
    socket_.close();
}

void UpstreamConnection::abort() {
    std::lock_guard lock(close_mutex_);
    socket_.shutdown_both();
}

}  // namespace rtproxy::integration
