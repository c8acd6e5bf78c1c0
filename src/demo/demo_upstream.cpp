#include "demo/demo_upstream.hpp"

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string_view>

namespace rtproxy::demo {
namespace {

constexpr std::string_view home_page =
    "<!doctype html>\n"
    "<html><head><title>rtproxy demo</title></head>\n"
    "<body><h1>rtproxy demo upstream</h1>\n"
    "<p>Every request you see in rtproxy's output went through the proxy to this server.</p>\n"
    "</body></html>\n";

constexpr std::string_view users_json =
    R"([{"id":1,"name":"Ada Lovelace","email":"ada@example.com"},)"
    R"({"id":2,"name":"Alan Turing","email":"alan@example.com"},)"
    R"({"id":3,"name":"Grace Hopper","email":"grace@example.com"}])"
    "\n";

constexpr auto slow_delay = std::chrono::milliseconds(150);

// A few pieces so the record shows a chunked body that arrived in more than one write.
constexpr std::string_view stream_pieces[] = {
    "piece 1 of 4\n",
    "piece 2 of 4\n",
    "piece 3 of 4\n",
    "piece 4 of 4\n",
};

// Bounds the wait for the server thread to enter its accept loop (see the constructor).
constexpr auto start_deadline = std::chrono::seconds(5);

}  // namespace

DemoUpstream::DemoUpstream() {
    add_routes();
    // cpp-httplib writes a response's head and body separately; without TCP_NODELAY, Nagle
    // holds the body back until the proxy's delayed ACK (~40 ms) and every sample looks slow.
    server_.set_tcp_nodelay(true);
    const int port = server_.bind_to_any_port(host());
    if (port <= 0) throw std::runtime_error("demo upstream: cannot bind 127.0.0.1 on any port");
    port_ = static_cast<std::uint16_t>(port);
    thread_ = std::thread([this] { server_.listen_after_bind(); });

    // httplib::Server::stop() does nothing until listen_after_bind() has started, so a
    // stop() that came too early would leave the thread in accept() forever. The socket
    // already listens (connections queue in the backlog), so waiting costs no requests.
    const auto deadline = std::chrono::steady_clock::now() + start_deadline;
    while (!server_.is_running() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!server_.is_running()) {
        stop();
        throw std::runtime_error("demo upstream: server thread did not start");
    }
}

DemoUpstream::~DemoUpstream() { stop(); }

void DemoUpstream::stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
}

void DemoUpstream::add_routes() {
    server_.Get("/", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(std::string(home_page), "text/html; charset=utf-8");
    });

    server_.Get("/api/users", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(std::string(users_json), "application/json");
    });

    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
        std::this_thread::sleep_for(slow_delay);
        res.set_content("slow answer, 150 ms late\n", "text/plain");
    });

    server_.Get("/stream", [](const httplib::Request&, httplib::Response& res) {
        auto next = std::make_shared<std::size_t>(0);
        res.set_chunked_content_provider("text/plain", [next](std::size_t, httplib::DataSink& sink) {
            if (*next < std::size(stream_pieces)) {
                const std::string_view piece = stream_pieces[(*next)++];
                return sink.write(piece.data(), piece.size());
            }
            sink.done();
            return true;
        });
    });

    server_.Get(R"(/status/(\d{3}))", [](const httplib::Request& req, httplib::Response& res) {
        const int status = std::stoi(req.matches[1]);
        // 1xx and 204/304 cannot carry the body below; those are for the interim responder.
        if (status < 200 || status > 599 || status == 204 || status == 304) {
            res.status = 400;
            res.set_content("status must be 200..599, not 204 or 304\n", "text/plain");
            return;
        }
        res.status = status;
        res.set_content("status " + std::to_string(status) + " as asked\n", "text/plain");
    });

    server_.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
        const auto type = req.get_header_value("Content-Type");
        res.set_content(req.body, type.empty() ? "application/octet-stream" : type);
    });

    // Fails once, like an upstream that is restarting: the retry policy turns that 503
    // into a second attempt (config.retry_on_status includes 503 in the demo).
    server_.Get("/flaky", [this](const httplib::Request&, httplib::Response& res) {
        if (flaky_calls_.fetch_add(1) == 0) {
            res.status = 503;
            res.set_header("Retry-After", "0");
            res.set_content("flaky: failing this first call\n", "text/plain");
            return;
        }
        res.set_content("flaky: fine on a later call\n", "text/plain");
    });
}

}  // namespace rtproxy::demo
