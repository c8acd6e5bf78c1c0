#include "proxy/client_connection.hpp"

#include <algorithm>
#include <array>

#include "proxy/use_tuple.hpp"
#include <asio/use_awaitable.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <fmt/format.h>

#include "http/parser.hpp"
#include "proxy/client_side.hpp"
#include "proxy/human_units.hpp"
#include "proxy/io_error.hpp"
#include "proxy/proxy_response.hpp"
#include "proxy/round_trip.hpp"
#include "proxy/timeout.hpp"

namespace rtproxy::proxy {

namespace {

using Clock = std::chrono::steady_clock;
using asio::ip::tcp;
using record::Op;
using record::Peer;
using record::Phase;

// What can be said of a head that did not parse: its request line split on spaces, as
// bytes, so the record still shows what the client tried.
record::MessageRecord best_effort_request(std::string_view bytes) {
    record::MessageRecord m;
    auto line = bytes.substr(0, std::min(bytes.find("\r\n"), bytes.find('\n')));
    line = line.substr(0, 8192);
    auto sp1 = line.find(' ');
    m.method = std::string(line.substr(0, sp1));
    if (sp1 != std::string_view::npos) {
        auto rest = line.substr(sp1 + 1);
        auto sp2 = rest.rfind(' ');
        m.target = std::string(rest.substr(0, sp2));
        if (sp2 != std::string_view::npos) m.version = std::string(rest.substr(sp2 + 1));
    }
    return m;
}

class ClientConnection {
public:
    ClientConnection(ServerContext& server, UpstreamPool& pool, tcp::socket socket, asio::ssl::context* tls)
        : server_(server),
          pool_(pool),
          client_(tls ? Stream(Stream::TlsStream(std::move(socket), *tls)) : Stream(std::move(socket))) {
        client_.info.tls = tls != nullptr;
        std::error_code ec;
        auto remote = client_.stream.tcp().remote_endpoint(ec);
        client_.info.addr = remote.address().is_v4() || !remote.address().to_v6().is_v4_mapped()
                                ? remote.address().to_string()
                                : asio::ip::make_address_v4(asio::ip::v4_mapped, remote.address().to_v6()).to_string();
        client_.info.port = remote.port();
        client_.info.conn_id = server_.next_conn_id();
        // The peer's address does not change within a connection: match it against
        // --trusted-proxies here, not for every request.
        for (const auto& cidr : server_.config.trusted_proxies)
            client_.trusted = client_.trusted || cidr.contains(client_.info.addr);
        client_.stream.tcp().set_option(tcp::no_delay(true), ec);
    }

    asio::awaitable<void> serve() {
        const auto& config = server_.config;
        const http::Limits limits{config.max_head_bytes, config.max_header_fields, config.max_head_bytes};
        http::RequestHeadParser parser(limits);
        std::uint64_t seq = 0;
        if (client_.stream.tls() && !co_await handshake()) co_return co_await close();
        while (!server_.stopping) {
            parser.reset();
            auto head_started = Clock::now();
            bool head_begun = !client_.in.empty();
            std::optional<http::HeadParse<http::RequestHead>> parsed;
            std::optional<Clock::time_point> last_read;  // when the latest bytes of the head arrived
            for (;;) {
                // An empty buffer (the usual case between keep-alive requests) needs a read
                // first; parsing it would only say so.
                if (!client_.in.empty()) {
                    auto attempt = parser.parse(client_.in.readable());
                    if (attempt.status != http::ParseStatus::need_more) {
                        parsed = std::move(attempt);
                        break;
                    }
                }
                // Idle keep-alive connections wait --idle-timeout for the next request; once
                // its first byte arrived the whole head must come within --read-header-timeout
                // (slow-loris).
                // (Until the head has begun, head_started is when this wait began.)
                client_.read_deadline = head_started + (head_begun ? config.read_header_timeout : config.idle_timeout);
                auto got = co_await client_.stream.read_some(client_.in.prepare());
                client_.read_deadline = Clock::time_point::max();
                if (client_.timed_out) {
                    if (head_begun)
                        co_await refuse(408, "timeout",
                                        fmt::format("request head not complete within --read-header-timeout ({})",
                                                    human_duration(config.read_header_timeout)),
                                        seq + 1, true);
                    co_return co_await close();
                }
                auto [ec, n] = got;
                if (ec) {
                    if (head_begun) co_await client_went_away(ec, seq + 1);
                    co_return co_await close();
                }
                last_read = Clock::now();
                if (!head_begun) head_started = *last_read;
                head_begun = true;
                client_.in.commit(n);
            }
            if (parsed->status == http::ParseStatus::error) {
                co_await refuse(parsed->error.status, parsed->error.kind, parsed->error.reason, seq + 1, false);
                co_return co_await close();
            }

            RoundTripStart start;
            start.id = server_.next_request_id();
            start.ts = std::chrono::system_clock::now();
            // The head was complete when its last bytes arrived; a pipelined head that was
            // already buffered is complete now.
            start.started = last_read ? *last_read : Clock::now();
            start.client = client_.info;
            start.client.conn_seq = ++seq;
            start.head = std::move(parsed->head);
            client_.in.consume(parsed->consumed);

            ++server_.active_round_trips;
            const bool again = co_await round_trips_.run(server_, pool_, client_, start);
            round_trips_.end();
            --server_.active_round_trips;
            if (!again) break;
        }
        co_return co_await close();
    }

    // Enforces client_.read_deadline on head and request-body reads. Re-arming a timer for
    // every read would cost a cancelled wait per request; instead the watchdog wakes on a
    // coarse tick (or at the deadline, when that was already set and comes before the tick)
    // and cancels the read when the deadline has passed. A deadline set while it sleeps is
    // seen at the next tick, so the tick bounds how late a timeout can fire.
    asio::awaitable<void> watch_deadline() {
        const auto& config = server_.config;
        const auto shortest = std::min<Clock::duration>({config.idle_timeout, config.read_header_timeout,
                                                         config.read_body_timeout});
        const auto tick = std::clamp<Clock::duration>(shortest / 8,
                                                      std::chrono::milliseconds(10), std::chrono::seconds(1));
        while (!closed_) {
            if (Clock::now() >= client_.read_deadline) {
                client_.timed_out = true;
                client_.read_deadline = Clock::time_point::max();
                std::error_code ignored;
                client_.stream.tcp().cancel(ignored);
            }
            watchdog_.expires_at(std::min(client_.read_deadline, Clock::now() + tick));
            co_await watchdog_.async_wait(use_tuple);
        }
    }

private:
    // TLS termination (--tls-cert): the handshake must finish within --read-header-timeout,
    // like a request head. A client that fails it (plain HTTP to a TLS port, an untrusted
    // certificate) never sent a request, so there is no round trip to record.
    asio::awaitable<bool> handshake() {
        client_.read_deadline = Clock::now() + server_.config.read_header_timeout;
        auto [ec] = co_await client_.stream.tls_stream().async_handshake(asio::ssl::stream_base::server, use_tuple);
        client_.read_deadline = Clock::time_point::max();
        co_return !ec && !client_.timed_out;
    }

    // A head rtproxy will not forward: answered here (400 / 408 / 431), recorded, closed.
    asio::awaitable<void> refuse(int status, std::string kind, std::string why, std::uint64_t seq, bool timed_out) {
        record::RoundTripRecord rec = new_record(seq);
        rec.request = best_effort_request(client_.in.readable());
        auto error = protocol_error(Peer::client, Phase::request_head, kind, why, 0, std::nullopt);
        if (timed_out) error.message = why;
        rec.errors.push_back(std::move(error));
        auto answer = make_proxy_response(status, why);
        rec.response = response_record(answer);
        rec.outcome = timed_out ? record::Outcome::timeout : record::Outcome::client_error;
        auto [ec, n] = co_await client_.stream.write(asio::buffer(answer.bytes));
        (void)n;
        if (ec) rec.errors.push_back(io_error(Op::write, Peer::client, Phase::response_head, ec, 0, std::nullopt));
        publish(std::move(rec));
    }

    // The client closed or reset in the middle of a request head.
    asio::awaitable<void> client_went_away(std::error_code ec, std::uint64_t seq) {
        record::RoundTripRecord rec = new_record(seq);
        rec.request = best_effort_request(client_.in.readable());
        rec.errors.push_back(io_error(Op::read, Peer::client, Phase::request_head, ec, client_.in.size(), std::nullopt));
        rec.outcome = record::Outcome::client_abort;
        publish(std::move(rec));
        co_return;
    }

    record::RoundTripRecord new_record(std::uint64_t seq) {
        record::RoundTripRecord rec;
        rec.id = server_.next_request_id();
        rec.ts = std::chrono::system_clock::now();
        rec.client = client_.info;
        rec.client.conn_seq = seq;
        const auto& up = server_.config.upstream;
        rec.upstream = {up.scheme, up.host, up.port};
        rec.body_buffer.limit = server_.config.buffer_body;
        return rec;
    }

    void publish(record::RoundTripRecord rec) {
        rec.duration_ms = 0;
        rec.timings.total_ms = 0;
        server_.publish(std::move(rec));
    }

    // Closing with unread bytes in the receive queue makes the kernel send a reset, which
    // can destroy the answer we just wrote before the client reads it (a 400 to a request
    // with a body, a 413 in the middle of an upload). So: half-close, then read and drop
    // what the client still sends until it closes too, for up to 2 s (a lingering close,
    // as nginx and Apache do; uploads on loopback drain in milliseconds).
    asio::awaitable<void> close() {
        std::error_code ignored;
        closed_ = true;
        watchdog_.cancel();
        if (!client_.stream.tcp().is_open()) co_return;
        client_.stream.shutdown_send();
        auto drain = [&]() -> asio::awaitable<int> {
            client_.in.consume(client_.in.size());
            for (;;) {
                auto [ec, n] = co_await client_.stream.read_some(client_.in.prepare(64 * 1024));
                if (ec) break;
                client_.in.commit(n);
                client_.in.consume(n);
            }
            co_return 0;
        };
        co_await within(std::chrono::seconds(2), drain());
        client_.stream.close();
    }

    ServerContext& server_;
    UpstreamPool& pool_;
    ClientSide client_;
    RoundTripSlot round_trips_;
    asio::steady_timer watchdog_{client_.stream.tcp().get_executor()};
    bool closed_ = false;
};

}  // namespace

asio::awaitable<void> serve_client(ServerContext& server, UpstreamPool& pool, tcp::socket socket,
                                   asio::ssl::context* tls) {
    using namespace asio::experimental::awaitable_operators;
    ClientConnection connection(server, pool, std::move(socket), tls);
    // Both end together: serve() closes the connection, which stops the watchdog, so
    // neither outlives `connection`.
    co_await (connection.serve() && connection.watch_deadline());
}

}  // namespace rtproxy::proxy
