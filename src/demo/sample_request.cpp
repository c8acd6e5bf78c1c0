#include "demo/sample_request.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <string_view>

#include "demo/send_all.hpp"
#include "http/parser.hpp"

namespace rtproxy::demo {

namespace {

SampleRequest request(std::string method, std::string target, std::string shows) {
    SampleRequest sample;
    sample.method = std::move(method);
    sample.target = std::move(target);
    sample.shows = std::move(shows);
    return sample;
}

constexpr auto continue_wait = std::chrono::seconds(1);  // curl's default
constexpr auto answer_timeout = std::chrono::milliseconds(15000);

std::optional<std::string> judge_answer(const SampleRequest& sample, int status, const std::string& body) {
    if (status != sample.expected_status)
        return "expected status " + std::to_string(sample.expected_status) + ", got " + std::to_string(status);
    if (sample.expected_body && body != *sample.expected_body)
        return "status " + std::to_string(status) + " as expected, but the body differs (" +
               std::to_string(body.size()) + " bytes, expected " + std::to_string(sample.expected_body->size()) + ")";
    return std::nullopt;
}

struct OwnedSocket {
    int fd = -1;
    ~OwnedSocket() {
        if (fd >= 0) ::close(fd);
    }
};


enum class Read { data, end, timeout };

Read read_some(int fd, std::string& into, std::chrono::milliseconds timeout) {
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(std::max<long long>(timeout.count(), 0)));
    if (ready == 0) return Read::timeout;
    char chunk[16 * 1024];
    const ssize_t n = ready < 0 ? -1 : ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return Read::end;
    into.append(chunk, static_cast<std::size_t>(n));
    return Read::data;
}

struct StatusHead {
    int status = 0;
    std::size_t end = 0;  // just past the head's empty line
    std::optional<std::uint64_t> content_length;
};

// The response head starting at `from`, once all of it has arrived, parsed by rtproxy's
// own codec (nullopt also for a head it rejects: the demo then reports no final response).
std::optional<StatusHead> parse_status_head(const std::string& received, std::size_t from) {
    http::ResponseHeadParser parser;
    auto parsed = parser.parse(std::string_view(received).substr(from));
    if (parsed.status != http::ParseStatus::complete) return std::nullopt;
    StatusHead head;
    head.status = parsed.head.status;
    head.end = from + parsed.consumed;
    if (const auto* length = parsed.head.headers.find("Content-Length")) {
        std::uint64_t value = 0;
        const auto* end = length->value.data() + length->value.size();
        if (std::from_chars(length->value.data(), end, value).ptr == end) head.content_length = value;
    }
    return head;
}

}  // namespace

std::vector<SampleRequest> sample_requests() {
    std::vector<SampleRequest> samples;
    samples.push_back(request("GET", "/", "a plain page"));

    // X-Forwarded-For from a client that is not a trusted proxy is a spoof: the record
    // shows rtproxy replacing it with the real client address (Caddy's default).
    SampleRequest users = request("GET", "/api/users", "custom and spoofed forwarding headers");
    users.headers = {{"Accept", "application/json"},
                     {"X-Demo-Trace", "rtproxy-demo-1"},
                     {"X-Forwarded-For", "203.0.113.66"}};
    samples.push_back(std::move(users));

    SampleRequest echo = request("POST", "/echo", "a request body relayed both ways");
    echo.body = R"({"name":"Katherine Johnson","role":"mathematician"})";
    echo.content_type = "application/json";
    echo.expected_body = echo.body;
    samples.push_back(std::move(echo));

    samples.push_back(request("GET", "/stream", "a chunked response"));
    samples.push_back(request("GET", "/slow", "a slow first byte"));

    // With 503 in retry_on_status this is retried and then given up: the record shows
    // every attempt and the upstream's last answer.
    SampleRequest unavailable = request("GET", "/status/503", "an upstream error answer, retried then given up");
    unavailable.expected_status = 503;
    samples.push_back(std::move(unavailable));

    samples.push_back(request("GET", "/flaky", "a retry that succeeds"));
    samples.push_back(request("HEAD", "/", "a response without a body"));

    // Interim responses, from InterimUpstream (see interim_upstream.hpp). The client here
    // only checks the final answer; the record's `interim` shows the 1xx on the way.
    SampleRequest hints = request("GET", "/early-hints", "a 103 Early Hints relayed before the page");
    hints.shows_interim = true;
    samples.push_back(std::move(hints));

    SampleRequest upload = request("POST", "/upload", "an upload that waits for 100 Continue");
    upload.headers = {{"Expect", "100-continue"}};
    upload.body = std::string(64 * 1024, 'x');
    upload.content_type = "application/octet-stream";
    upload.expected_body = "received 65536 bytes\n";
    upload.shows_interim = true;
    samples.push_back(std::move(upload));
    return samples;
}

std::optional<std::string> send_sample(httplib::Client& client, const SampleRequest& sample) {
    httplib::Headers headers;
    for (const auto& [name, value] : sample.headers) headers.emplace(name, value);

    if (sample.method != "GET" && sample.method != "HEAD" && sample.method != "POST")
        return "the demo cannot send method " + sample.method;
    const httplib::Result result = [&] {
        if (sample.method == "GET") return client.Get(sample.target, headers);
        if (sample.method == "HEAD") return client.Head(sample.target, headers);
        return client.Post(sample.target, headers, sample.body, sample.content_type);
    }();

    if (!result) return "no response (" + httplib::to_string(result.error()) + ")";
    return judge_answer(sample, result->status, result->body);
}

std::optional<std::string> send_sample_over_socket(const std::string& host, std::uint16_t port,
                                                   const SampleRequest& sample) {
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found)
        return "cannot use address " + host;
    OwnedSocket socket{::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    const int connected = socket.fd < 0 ? -1 : ::connect(socket.fd, found->ai_addr, found->ai_addrlen);
    ::freeaddrinfo(found);
    if (connected != 0) return std::string("cannot connect to the proxy: ") + std::strerror(errno);

    std::string head = sample.method + " " + sample.target + " HTTP/1.1\r\nHost: " + host + ":" +
                       std::to_string(port) + "\r\n";
    bool wants_continue = false;
    for (const auto& [name, value] : sample.headers) {
        head += name + ": " + value + "\r\n";
        if (http::iequals(name, "Expect") && http::iequals(value, "100-continue")) wants_continue = true;
    }
    if (!sample.body.empty())
        head += "Content-Type: " + sample.content_type + "\r\nContent-Length: " + std::to_string(sample.body.size()) +
                "\r\n";
    head += "Connection: close\r\n\r\n";
    if (!send_all(socket.fd, head)) return "the proxy closed the connection before the request was sent";

    std::string received;
    std::size_t final_from = 0;  // where the response after any 1xx read so far begins
    bool send_body = !sample.body.empty();
    if (send_body && wants_continue) {
        // RFC 9110 §10.1.1: wait a while for 100 (or a final answer), then send anyway.
        const auto deadline = std::chrono::steady_clock::now() + continue_wait;
        for (;;) {
            auto next = parse_status_head(received, final_from);
            if (next && next->status < 200) {
                final_from = next->end;
                if (next->status == 100) break;
                continue;
            }
            if (next) {  // a final answer: the body is not wanted
                send_body = false;
                break;
            }
            if (read_some(socket.fd, received, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                   deadline - std::chrono::steady_clock::now())) != Read::data)
                break;
        }
    }
    if (send_body && !send_all(socket.fd, sample.body)) return "the proxy closed the connection during the body";
    for (;;) {
        auto status = read_some(socket.fd, received, answer_timeout);
        if (status == Read::timeout) return "no complete answer within 15 s";
        if (status == Read::end) break;
    }
    for (;;) {
        auto next = parse_status_head(received, final_from);
        if (!next) return "no final response (" + std::to_string(received.size()) + " bytes received)";
        if (next->status >= 200) {
            std::string body = received.substr(next->end);
            if (next->content_length && body.size() > *next->content_length) body.resize(*next->content_length);
            return judge_answer(sample, next->status, body);
        }
        final_from = next->end;
    }
}

}  // namespace rtproxy::demo
