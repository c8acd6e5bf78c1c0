#include "demo/interim_upstream.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <optional>
#include <string_view>
#include <system_error>

#include "demo/send_all.hpp"
#include "http/body_decoder.hpp"
#include "http/parser.hpp"

namespace rtproxy::demo {
namespace {

constexpr std::size_t max_head_bytes = 64 * 1024;
constexpr std::size_t max_upload_bytes = 64 * 1024 * 1024;

constexpr std::string_view early_hints_page =
    "<!doctype html>\n"
    "<html><head><title>early hints</title><link rel=\"stylesheet\" href=\"/style.css\"></head>\n"
    "<body><p>A 103 Early Hints came before this page, telling the browser to preload /style.css.</p>\n"
    "</body></html>\n";

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

// Reads from one socket with what was read past the caller's need kept for the next call
// (the proxy may send the body right behind the head).
class Reader {
public:
    explicit Reader(int fd) : fd_(fd) {}

    std::optional<std::string> read_until(std::string_view delimiter, std::size_t limit) {
        for (;;) {
            if (auto at = buffer_.find(delimiter); at != std::string::npos) return take(at + delimiter.size());
            if (buffer_.size() > limit || !fill()) return std::nullopt;
        }
    }
    std::string take_buffered() { return take(buffer_.size()); }
    // What has arrived and not been used yet; consume() drops the front of it.
    std::string_view buffered() const { return buffer_; }
    void consume(std::size_t n) { buffer_.erase(0, n); }
    // Waits for more bytes; false at the end of the stream.
    bool fill() {
        char chunk[16 * 1024];
        for (;;) {
            ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            buffer_.append(chunk, static_cast<std::size_t>(n));
            return true;
        }
    }

private:
    std::string take(std::size_t n) {
        std::string out = buffer_.substr(0, n);
        buffer_.erase(0, n);
        return out;
    }

    int fd_;
    std::string buffer_;
};

// The request head at the front of `text` (which holds all of it), parsed by rtproxy's own
// codec; nullopt when it is not a head the codec accepts.
std::optional<http::RequestHead> parse_request_head(std::string_view text) {
    http::RequestHeadParser parser;
    auto parsed = parser.parse(text);
    if (parsed.status != http::ParseStatus::complete) return std::nullopt;
    return std::move(parsed.head);
}

std::string_view path_of(const http::RequestHead& head) {
    const std::string_view target = head.target;
    return target.substr(0, target.find('?'));
}

std::string response(int status, std::string_view reason, std::string_view content_type, std::string_view body) {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
    out += "Content-Type: " + std::string(content_type) + "\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    out += body;
    return out;
}

// The request body's size, read to its end as its framing says (rtproxy's own decoder), or
// nullopt when the connection ended first or the framing is invalid.
std::optional<std::uint64_t> read_body_size(Reader& reader, const http::RequestHead& head) {
    const auto framing = http::request_framing(head);
    if (!framing.ok) return std::nullopt;
    http::BodyDecoder decoder(framing.framing);
    while (!decoder.done()) {
        auto step = decoder.decode(reader.buffered());
        if (step.error || decoder.payload_bytes() > max_upload_bytes) return std::nullopt;
        reader.consume(step.consumed);  // what follows the body stays for the next request
        if (step.consumed == 0 && !reader.fill()) return std::nullopt;
    }
    return decoder.payload_bytes();
}

}  // namespace

InterimUpstream::InterimUpstream(std::uint16_t backend_port) : backend_port_(backend_port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener_ < 0) throw std::system_error(errno, std::generic_category(), "demo upstream: socket");
    auto addr = loopback(0);
    socklen_t len = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener_, 64) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        std::error_code error(errno, std::generic_category());
        ::close(listener_);
        throw std::system_error(error, "demo upstream: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

InterimUpstream::~InterimUpstream() { stop(); }

void InterimUpstream::stop() {
    if (stopping_.exchange(true)) return;
    ::shutdown(listener_, SHUT_RDWR);  // wakes accept()
    acceptor_.join();
    ::close(listener_);
    std::vector<std::thread> workers;
    {
        std::lock_guard lock(mutex_);
        for (int fd : open_) ::shutdown(fd, SHUT_RDWR);  // wakes their recv()
        workers.swap(workers_);
    }
    for (auto& worker : workers) worker.join();
}

void InterimUpstream::accept_loop() {
    while (!stopping_) {
        int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return;  // shut down by stop()
        }
        std::lock_guard lock(mutex_);
        if (stopping_) {
            ::close(fd);
            return;
        }
        open_.insert(fd);
        workers_.emplace_back([this, fd] { serve_connection(fd); });
    }
}

int InterimUpstream::track(int fd) {
    std::lock_guard lock(mutex_);
    if (stopping_) ::shutdown(fd, SHUT_RDWR);
    open_.insert(fd);
    return fd;
}

void InterimUpstream::untrack_and_close(int fd) {
    std::lock_guard lock(mutex_);
    open_.erase(fd);
    ::close(fd);
}

// Request after request on the proxy's (kept-alive) connection, until it closes or a
// request is handed to cpp-httplib.
void InterimUpstream::serve_connection(int fd) {
    try {
        serve_requests(fd);
    } catch (const std::exception&) {
        // Only an allocation failure could land here: drop this connection, not the demo.
    }
    untrack_and_close(fd);
}

void InterimUpstream::serve_requests(int fd) {
    Reader reader(fd);
    for (;;) {
        auto text = reader.read_until("\r\n\r\n", max_head_bytes);
        if (!text) break;
        auto parsed = parse_request_head(*text);
        if (!parsed) break;  // the proxy in front only forwards valid heads; drop anything else
        const auto& head = *parsed;
        const auto path = path_of(head);

        if (path == "/early-hints" && head.method == "GET") {
            // RFC 8297: hints first, flushed on their own, then the real answer.
            if (!send_all(fd, "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n") ||
                !send_all(fd, response(200, "OK", "text/html; charset=utf-8", early_hints_page)))
                break;
            continue;
        }
        if (path == "/upload" && (head.method == "POST" || head.method == "PUT")) {
            // RFC 9110 §10.1.1: the 100 invites the body; the client may be waiting for it.
            const auto* expect = head.headers.find("Expect");
            if (expect && http::iequals(expect->value, "100-continue") &&
                !send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n"))
                break;
            auto size = read_body_size(reader, head);
            if (!size) break;
            if (!send_all(fd, response(200, "OK", "text/plain", "received " + std::to_string(*size) + " bytes\n")))
                break;
            continue;
        }
        relay_to_backend(fd, *text + reader.take_buffered());
        break;
    }
}

// Hands the rest of this connection to cpp-httplib: the request head gets `Connection:
// close` (first, so it is the value cpp-httplib reads), then bytes are copied both ways
// until cpp-httplib has answered and closed.
void InterimUpstream::relay_to_backend(int fd, std::string already_read) {
    int backend = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (backend < 0) return;
    track(backend);
    auto addr = loopback(backend_port_);
    auto line_end = already_read.find("\r\n");
    already_read.insert(line_end + 2, "Connection: close\r\n");
    if (::connect(backend, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || !send_all(backend, already_read)) {
        send_all(fd, response(502, "Bad Gateway", "text/plain", "demo upstream: cpp-httplib server unreachable\n"));
        untrack_and_close(backend);
        return;
    }
    pollfd fds[2] = {{fd, POLLIN, 0}, {backend, POLLIN, 0}};
    char chunk[16 * 1024];
    for (;;) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        // The answer first: once cpp-httplib closed, this request is over.
        if (fds[1].revents) {
            ssize_t n = ::recv(backend, chunk, sizeof chunk, 0);
            if (n <= 0 || !send_all(fd, std::string_view(chunk, static_cast<std::size_t>(n)))) break;
        }
        if (fds[0].revents) {
            ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) {
                ::shutdown(backend, SHUT_WR);
                fds[0].fd = -1;  // poll ignores it from now on
            } else if (!send_all(backend, std::string_view(chunk, static_cast<std::size_t>(n)))) {
                break;
            }
        }
    }
    untrack_and_close(backend);
}

}  // namespace rtproxy::demo
