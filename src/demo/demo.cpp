// rtproxy --demo: upstream, proxy and client in one process, so a first-time user sees
// real records without setting anything up.
#include "demo/demo.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <iostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "demo/demo_upstream.hpp"
#include "demo/interim_upstream.hpp"
#include "demo/sample_request.hpp"
#include "proxy/proxy_server.hpp"

namespace rtproxy::demo {
namespace {

constexpr int demo_status_code = 503;  // /flaky's first answer and /status/503
constexpr unsigned demo_min_retries = 2;

// --listen's default is a fixed port that may be taken; the demo needs no known port, so
// it asks the kernel for one. A --listen the user changed is kept as given.
void use_ephemeral_port_if_default(Config& config) {
    const ListenSpec default_listen;
    if (config.listen.empty()) config.listen.push_back(default_listen);
    ListenSpec& first = config.listen.front();
    if (first.host == default_listen.host && first.port == default_listen.port) first.port = 0;
}

// The proxy talks to the interim front, which relays what it does not answer to cpp-httplib.
void point_at(Config& config, const InterimUpstream& upstream) {
    config.upstream = UpstreamSpec{.scheme = "http", .host = upstream.host(), .port = upstream.port()};
}

// /flaky fails once and must be seen to succeed on a retry; /status/503 shows the retry
// giving up. Both need 503 to be a retryable status and at least two retries.
void enable_demo_retries(Config& config) {
    config.retries = std::max(config.retries, demo_min_retries);
    auto& statuses = config.retry_on_status;
    if (std::find(statuses.begin(), statuses.end(), demo_status_code) == statuses.end())
        statuses.push_back(demo_status_code);
}

// A wildcard listener is reachable on loopback; the demo only ever talks to loopback.
std::string loopback_for(const std::string& bound_addr) {
    if (bound_addr == "0.0.0.0" || bound_addr.empty()) return "127.0.0.1";
    if (bound_addr == "::" || bound_addr == "[::]") return "::1";
    return bound_addr;
}

// Runs ProxyServer::run on its own thread; an exception from run() is kept and rethrown
// by join(), so it reaches main's error report instead of std::terminate.
class ProxyThread {
public:
    explicit ProxyThread(proxy::ProxyServer& server)
        : server_(server), thread_([this] {
              try {
                  server_.run(false);
              } catch (...) {
                  failure_ = std::current_exception();
              }
          }) {}
    ~ProxyThread() {
        if (thread_.joinable()) {
            server_.stop("demo aborted");
            thread_.join();
        }
    }
    ProxyThread(const ProxyThread&) = delete;
    ProxyThread& operator=(const ProxyThread&) = delete;

    void stop_and_join(std::string reason) {
        server_.stop(std::move(reason));
        thread_.join();
        if (failure_) std::rethrow_exception(failure_);
    }

private:
    proxy::ProxyServer& server_;
    std::exception_ptr failure_;
    std::thread thread_;
};

struct SampleFailure {
    SampleRequest sample;
    std::string what;
};

std::vector<SampleFailure> send_samples(const record::ListenAddress& proxy_address) {
    httplib::Client client(loopback_for(proxy_address.addr), proxy_address.port);
    // One keep-alive connection, so the records show conn_seq 1, 2, 3...
    client.set_keep_alive(true);
    // Head and body of a POST go out in two writes; without TCP_NODELAY Nagle holds the body
    // until the proxy ACKs the head (~40 ms of delayed ACK) and the demo looks slow.
    client.set_tcp_nodelay(true);
    client.set_connection_timeout(std::chrono::seconds(3));
    // Long enough for /status/503's three attempts with backoff (up to --retry-backoff-max).
    client.set_read_timeout(std::chrono::seconds(15));

    std::vector<SampleFailure> failures;
    for (const SampleRequest& sample : sample_requests()) {
        auto what = sample.shows_interim
                        ? send_sample_over_socket(loopback_for(proxy_address.addr), proxy_address.port, sample)
                        : send_sample(client, sample);
        if (what) failures.push_back({sample, std::move(*what)});
    }
    client.stop();
    return failures;
}

}  // namespace

int run_demo(Config config, record::EventSink& sink) {
    DemoUpstream upstream;
    InterimUpstream front(upstream.port());
    use_ephemeral_port_if_default(config);
    point_at(config, front);
    enable_demo_retries(config);

    proxy::ProxyServer server(config, sink);
    server.start();
    const auto bound = server.bound();
    if (bound.empty()) {
        std::cerr << "rtproxy --demo: the proxy reported no listening address\n";
        return 1;
    }

    ProxyThread proxy_thread(server);
    const std::vector<SampleFailure> failures = send_samples(bound.front());
    proxy_thread.stop_and_join("demo finished");
    front.stop();
    upstream.stop();

    for (const SampleFailure& failure : failures)
        std::cerr << "rtproxy --demo: " << failure.sample.method << ' ' << failure.sample.target << " ("
                  << failure.sample.shows << "): " << failure.what << '\n';
    return failures.empty() ? 0 : 1;
}

}  // namespace rtproxy::demo
