// Listeners, worker threads and shutdown. One io_context per worker thread (one thread
// each), like nginx's workers: a connection lives on one thread from accept to close, so
// connections, their timers and the worker's upstream pool need no locks or strands.
#include "proxy/proxy_server.hpp"

#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <thread>

#include "proxy/use_tuple.hpp"
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/ssl/context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "proxy/client_connection.hpp"
#include "proxy/server_context.hpp"
#include "proxy/upstream_pool.hpp"

namespace rtproxy::proxy {

namespace {

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Worker {
    // One thread runs this io_context and does all I/O on its sockets (the acceptor hands a
    // connection over before any I/O on it, through Asio's still-locked registration and
    // scheduler), so the per-socket I/O lock Asio takes on every operation is not needed.
    explicit Worker(const Config& config) : io(ASIO_CONCURRENCY_HINT_UNSAFE_IO), pool(io, config) {}
    asio::io_context io;
    UpstreamPool pool;
    std::thread thread;
};

void report_escaped_exception(std::exception_ptr e) {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        std::fprintf(stderr, "rtproxy: internal error in a connection: %s\n", x.what());
    }
}

}  // namespace

struct ProxyServer::Impl {
    Impl(Config c, record::EventSink& s) : config(std::move(c)), sink(s), context(config, sink) {
        const unsigned n = config.threads ? config.threads : std::max(1u, std::thread::hardware_concurrency());
        for (unsigned i = 0; i < n; ++i) workers.push_back(std::make_unique<Worker>(config));
        context.on_max_rounds = [this] { stop("--max-rounds reached"); };
        if (!config.tls_cert.empty()) {
            // Throws (exit 1, naming the file) when the certificate or key is unusable.
            client_tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
            client_tls->use_certificate_chain_file(config.tls_cert);
            client_tls->use_private_key_file(config.tls_key, asio::ssl::context::pem);
        }
    }

    Config config;
    record::EventSink& sink;
    ServerContext context;
    std::vector<std::unique_ptr<Worker>> workers;
    std::vector<tcp::acceptor> acceptors;
    std::unique_ptr<asio::ssl::context> client_tls;  // --tls-cert: listeners speak TLS
    std::vector<record::ListenAddress> bound;
    std::size_t next_worker = 0;

    std::mutex stop_mutex;
    std::string stop_reason;
    bool stop_requested = false;

    asio::io_context& main_io() { return workers.front()->io; }

    void bind_listeners() {
        tcp::resolver resolver(main_io());
        for (const auto& spec : config.listen) {
            std::error_code ec;
            auto results = resolver.resolve(spec.host, std::to_string(spec.port), ec);
            if (ec || results.empty())
                throw std::system_error(ec, fmt::format("--listen {}:{}: cannot resolve", spec.host, spec.port));
            auto endpoint = results.begin()->endpoint();
            tcp::acceptor acceptor(main_io());
            acceptor.open(endpoint.protocol(), ec);
            if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
            if (!ec) acceptor.bind(endpoint, ec);
            if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
            if (ec) throw std::system_error(ec, fmt::format("--listen {}:{}", spec.host, spec.port));
            auto local = acceptor.local_endpoint();
            bound.push_back({local.address().to_string(), local.port(), client_tls != nullptr});
            acceptors.push_back(std::move(acceptor));
        }
    }

    asio::awaitable<void> accept_loop(tcp::acceptor& acceptor) {
        for (;;) {
            auto& worker = *workers[next_worker++ % workers.size()];
            auto [ec, socket] = co_await acceptor.async_accept(worker.io, use_tuple);
            if (ec) {
                if (!acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
                // Out of descriptors and the like: wait a little instead of spinning.
                asio::steady_timer pause(main_io(), std::chrono::milliseconds(50));
                co_await pause.async_wait(use_tuple);
                continue;
            }
            asio::co_spawn(worker.io, serve_client(context, worker.pool, std::move(socket), client_tls.get()),
                           report_escaped_exception);
        }
    }

    // Stop accepting, let open round trips finish (up to a grace period), then stop.
    asio::awaitable<void> drain_and_stop() {
        for (auto& acceptor : acceptors) {
            std::error_code ignored;
            acceptor.close(ignored);
        }
        context.stopping = true;
        const auto deadline = Clock::now() + std::chrono::seconds(2);
        asio::steady_timer tick(main_io());
        while (context.active_round_trips > 0 && Clock::now() < deadline) {
            tick.expires_after(std::chrono::milliseconds(10));
            co_await tick.async_wait(use_tuple);
        }
        for (auto& worker : workers) worker->io.stop();
    }

    void stop(std::string reason) {
        {
            std::lock_guard lock(stop_mutex);
            if (stop_requested) return;
            stop_requested = true;
            stop_reason = std::move(reason);
        }
        asio::co_spawn(main_io(), drain_and_stop(), report_escaped_exception);
    }
};

ProxyServer::ProxyServer(Config config, record::EventSink& sink)
    : impl_(std::make_unique<Impl>(std::move(config), sink)) {}

ProxyServer::~ProxyServer() = default;

void ProxyServer::start() {
    impl_->bind_listeners();
    record::ListeningEvent event;
    event.version = RTPROXY_VERSION;
    event.listen = impl_->bound;
    const auto& up = impl_->config.upstream;
    event.upstream = {up.scheme, up.host, up.port};
    event.pid = static_cast<int>(::getpid());
    impl_->sink.listening(event);
}

std::vector<record::ListenAddress> ProxyServer::bound() const { return impl_->bound; }

void ProxyServer::run(bool handle_signals) {
    auto& impl = *impl_;
    for (auto& acceptor : impl.acceptors)
        asio::co_spawn(impl.main_io(), impl.accept_loop(acceptor), report_escaped_exception);

    std::optional<asio::signal_set> signals;
    if (handle_signals) {
        signals.emplace(impl.main_io(), SIGINT, SIGTERM);
        signals->async_wait([&impl](std::error_code ec, int signal) {
            if (!ec) impl.stop(signal == SIGINT ? "signal SIGINT" : "signal SIGTERM");
        });
    }

    for (std::size_t i = 1; i < impl.workers.size(); ++i) {
        auto& worker = *impl.workers[i];
        worker.thread = std::thread([&worker] {
            auto guard = asio::make_work_guard(worker.io);
            worker.io.run();
        });
    }
    {
        auto guard = asio::make_work_guard(impl.main_io());
        impl.main_io().run();
    }
    for (std::size_t i = 1; i < impl.workers.size(); ++i)
        if (impl.workers[i]->thread.joinable()) impl.workers[i]->thread.join();
    if (signals) signals->cancel();

    record::ShutdownEvent event;
    {
        std::lock_guard lock(impl.stop_mutex);
        event.reason = impl.stop_reason.empty() ? "stopped" : impl.stop_reason;
    }
    event.rounds = impl.context.rounds();
    event.errors = impl.context.errors_by_op();
    event.uptime_ms = std::chrono::duration<double, std::milli>(Clock::now() - impl.context.started).count();
    impl.sink.shutdown(event);
}

void ProxyServer::stop(std::string reason) { impl_->stop(std::move(reason)); }

}  // namespace rtproxy::proxy
