#include "harness/raw_client.hpp"

#include "harness/peer_read.hpp"

namespace rtproxy::integration {

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (iequals(n, name)) return v;
    return std::nullopt;
}

RawClient::RawClient(std::uint16_t port, std::optional<int> receive_buffer)
    : socket_(Socket::connect_to_loopback(port, receive_buffer)), reader_(socket_) {}

void RawClient::send(std::string_view bytes) { socket_.write_all(bytes); }

bool RawClient::wait_until_proxy_read_all(Millis timeout) const {
    return wait_until_peer_read_all(socket_, timeout);
}

HttpResponse RawClient::read_response(bool to_head, Millis timeout) {
    HttpResponse response;
    reader_.set_capture(&response.raw);
    try {
        auto head = parse_head(reader_.read_until("\r\n\r\n", timeout));
        // "HTTP/1.1 200 OK": version, status, reason.
        auto sp1 = head.start_line.find(' ');
        auto sp2 = head.start_line.find(' ', sp1 + 1);
        response.version = head.start_line.substr(0, sp1);
        response.status = std::stoi(head.start_line.substr(sp1 + 1, sp2 - sp1 - 1));
        response.reason = sp2 == std::string::npos ? "" : head.start_line.substr(sp2 + 1);
        response.headers = head.fields;
        // RFC 9112 §6.3: HEAD, 1xx, 204 and 304 have no body whatever the headers say;
        // then chunked, then Content-Length, else the body runs to EOF.
        bool bodyless = to_head || response.status < 200 || response.status == 204 || response.status == 304;
        auto te = head.field("Transfer-Encoding");
        auto cl = head.field("Content-Length");
        if (bodyless) {
        } else if (te && icontains(*te, "chunked")) {
            auto chunked = read_chunked_body(reader_, timeout);
            response.body = std::move(chunked.body);
            response.trailers = std::move(chunked.trailers);
        } else if (cl) {
            auto length = std::stoull(*cl);
            // Keep the bytes that did arrive when the body is cut short; never read into
            // the next (pipelined) response.
            while (response.body.size() < length) response.body += reader_.read_some(length - response.body.size(), timeout);
        } else {
            ReadStatus how{};
            response.body = reader_.read_until_eof(how, timeout);
            if (how == ReadStatus::reset) {
                response.ended_by = how;
                reader_.set_capture(nullptr);
                return response;  // a reset close-delimited body cannot be told complete
            }
        }
        response.complete = true;
    } catch (const StreamEnded& ended) {
        response.ended_by = ended.how;
        // For chunked bodies, what arrived is in `raw`; the decoded part is not needed.
    } catch (...) {
        reader_.set_capture(nullptr);  // `response` dies with this frame
        throw;
    }
    reader_.set_capture(nullptr);
    return response;
}

HttpResponse RawClient::read_final_response(bool to_head, Millis timeout) {
    for (int i = 0; i < 16; ++i) {
        auto response = read_response(to_head, timeout);
        if (response.status >= 200 || response.status == 0) return response;
    }
    throw std::runtime_error("more than 16 interim responses");
}

std::string RawClient::read_until(std::string_view delimiter, Millis timeout) {
    return reader_.read_until(delimiter, timeout);
}

std::string RawClient::read_exact(std::size_t n, Millis timeout) { return reader_.read_exact(n, timeout); }

RawClient::UntilClose RawClient::read_all_until_close(Millis timeout) {
    UntilClose out;
    out.bytes = reader_.read_until_eof(out.how, timeout);
    return out;
}

ReadStatus RawClient::wait_for_close(Millis timeout) { return reader_.wait_for_close(timeout); }

void RawClient::close() { socket_.close(); }

void RawClient::reset() { socket_.reset(); }

}  // namespace rtproxy::integration
