// The round trip, in the order things happen (ROUND_TRIP_NOTES §1-§5):
//   1. decide how the client's body is framed (reject ambiguity: 400, nothing forwarded)
//   2. make the upstream copy once, before any attempt, so every retry sends the same thing
//   3. attempts: dial or reuse, send head + body, read the response head (relaying 1xx);
//      after each failed attempt the retry policy says retry (after a backoff) or give up
//   4. relay the final response (or a 101 tunnel), or answer 502/504 ourselves
//   5. write the record
#include "proxy/round_trip.hpp"

#include <array>

#include "proxy/use_tuple.hpp"
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <fmt/format.h>

#include "http/parser.hpp"
#include "http/serialize.hpp"
#include "proxy/forward_headers.hpp"
#include "proxy/human_units.hpp"
#include "proxy/io_error.hpp"
#include "proxy/proxy_response.hpp"
#include "proxy/relay.hpp"
#include "proxy/request_body.hpp"
#include "proxy/retry_policy.hpp"
#include "proxy/timeout.hpp"
#include "proxy/tunnel.hpp"

namespace rtproxy::proxy {

namespace {

using Clock = std::chrono::steady_clock;
using record::Op;
using record::Outcome;
using record::Peer;
using record::Phase;
using Decision = record::RetryDecision::Decision;
using ClientFailure = RequestBody::ClientFailure;

double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

record::MessageRecord received_request(const http::RequestHead& head) {
    record::MessageRecord m;
    m.method = head.method;
    m.target = head.target;
    m.version = head.version;
    // Headers are moved in by finish(): the round trip still reads them until then.
    return m;
}

// RFC 9112 §9.3: HTTP/1.1 is persistent unless "close"; HTTP/1.0 only with "keep-alive".
bool client_wants_keep_alive(const http::RequestHead& head) {
    if (head.version == "HTTP/1.1") return !head.headers.has_token("Connection", "close");
    return head.headers.has_token("Connection", "keep-alive");
}

// The upstream connection can carry another request after this response.
bool upstream_reusable(const http::ResponseHead& head, http::Framing framing) {
    if (framing.kind == http::BodyFraming::close) return false;
    if (head.headers.has_token("Connection", "close")) return false;
    if (head.version == "HTTP/1.0") return head.headers.has_token("Connection", "keep-alive");
    return true;
}

struct Attempt {
    std::unique_ptr<UpstreamConnection> conn;
    std::optional<http::ResponseHead> final_head;  // body not read yet
    http::Framing response_framing;
    AttemptFailure failure = AttemptFailure::none;
    std::string summary;           // "connect refused", "upstream reset before responding"...
    bool timed_out = false;
    bool request_written = false;  // any byte of the request reached the upstream socket
    bool response_bytes = false;   // any byte came back from the upstream
    bool expect_rejected = false;  // a final answer to Expect: 100-continue, body not sent
};

class RoundTrip {
public:
    // `start` is consumed.
    RoundTrip(ServerContext& server, UpstreamPool& pool, ClientSide& client, RoundTripStart& start)
        : server_(server),
          config_(server.config),
          pool_(pool),
          client_(client),
          head_(std::move(start.head)),
          started_(start.started),
          limits_{config_.max_head_bytes, config_.max_header_fields, config_.max_head_bytes} {
        rec_.id = start.id;
        rec_.ts = start.ts;
        rec_.client = std::move(start.client);
    }

    asio::awaitable<bool> run() {
        rec_.request = received_request(head_);
        rec_.upstream = {config_.upstream.scheme, config_.upstream.host, config_.upstream.port};
        client_keep_alive_ = client_wants_keep_alive(head_);

        // 1. How the client's body is delimited. Ambiguity is a smuggling vector: refuse it.
        auto framing = http::request_framing(head_);
        if (!framing.ok) {
            rec_.errors.push_back(protocol_error(Peer::client, Phase::request_head, framing.error.kind,
                                                 framing.error.reason, 0, std::nullopt));
            co_await answer_from_proxy(framing.error.status, framing.error.reason, Outcome::client_error);
            co_return finish(false);
        }
        rec_.request.body_framing = framing.framing.kind;
        body_.emplace(client_, framing.framing, config_, server_.buffer_budget);

        // 2. The copy, made once.
        make_upstream_copy(framing.framing);

        // 3. Attempts, until one is relayed or the retry policy gives up.
        std::chrono::milliseconds backoff{0};
        for (int n = 1;; ++n) {
            const auto attempt_start = Clock::now();
            if (n == 1) first_attempt_started_ = attempt_start;
            auto& arec = rec_.attempts.emplace_back();
            arec.n = n;
            arec.backoff_ms = static_cast<double>(backoff.count());
            arec.started_ms = ms_between(started_, attempt_start);
            Attempt attempt;
            co_await attempt_once(attempt, arec, attempt_start);
            classify(attempt);

            if (attempt.failure == AttemptFailure::none) {
                arec.retry = {Decision::not_needed, upstream_answered(attempt.final_head->status)};
                co_await relay_final(attempt, arec);
                break;
            }
            // A body rtproxy gave up on is answered here; a client that went away gets nothing.
            if (body_failure_ == ClientFailure::malformed || body_failure_ == ClientFailure::stalled) {
                arec.retry = {Decision::give_up, attempt.summary + "; not retried"};
                const bool malformed = body_failure_ == ClientFailure::malformed;
                co_await answer_from_proxy(malformed ? 400 : 408, attempt.summary,
                                           malformed ? Outcome::client_error : Outcome::timeout);
                break;
            }
            auto verdict = decide_retry(attempt, n);
            arec.retry = {verdict.decision, verdict.reason};
            if (verdict.decision != Decision::retry) {
                co_await give_up(attempt, arec, n);
                break;
            }
            if (verdict.counts_against_retries)
                ++retries_used_;
            else
                stale_retry_used_ = true;
            if (attempt.failure == AttemptFailure::retryable_status && attempt.conn)
                co_await discard_response(attempt);
            backoff = verdict.backoff;
            if (!co_await wait_backoff(backoff)) {
                outcome_ = Outcome::client_abort;
                break;
            }
        }
        co_return finish(client_keep_alive_);
    }

private:
    // What an attempt's end means for retrying, beyond what attempt_once saw itself.
    void classify(Attempt& attempt) const {
        if (attempt.failure == AttemptFailure::none && attempt.final_head && !attempt.expect_rejected &&
            server_.retry_policy.is_retry_status(attempt.final_head->status))
            attempt.failure = AttemptFailure::retryable_status;
        if (attempt.failure == AttemptFailure::none) return;
        if (client_gone_) attempt.failure = AttemptFailure::client_gone;
        // After relayed 1xx a --retry-on-status answer stays one: it is not retried (the
        // policy sees interim_relayed), but it is still relayed as it came, not turned into
        // a 502 of ours that would hide the upstream's status.
        if (response_started_ && attempt.failure != AttemptFailure::retryable_status)
            attempt.failure = AttemptFailure::response_started;
    }

    RetryVerdict decide_retry(const Attempt& attempt, int n) const {
        AttemptFacts facts;
        facts.attempt = n;
        facts.failure = attempt.failure;
        facts.failure_summary = attempt.summary;
        facts.status = attempt.final_head ? attempt.final_head->status : 0;
        facts.method = head_.method;
        facts.has_idempotency_key = head_.headers.find("Idempotency-Key") != nullptr;
        facts.has_body = rec_.request.body_framing != http::BodyFraming::none;
        facts.body_replayable = body_->replayable();
        facts.not_replayable_reason = body_->not_replayable_reason();
        facts.request_bytes_written = attempt.request_written;
        facts.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - first_attempt_started_);
        facts.stale_retry_used = stale_retry_used_;
        facts.interim_relayed = response_started_;
        facts.jitter_key = rec_.id;
        return server_.retry_policy.decide(facts, retries_used_);
    }

    // No more attempts: relay the last --retry-on-status answer as it came, or answer
    // 502/504 ourselves. Also after relayed 1xx: those were interim, the client still
    // waits for a final answer (Go and Caddy write a 502 there too).
    asio::awaitable<void> give_up(Attempt& attempt, record::AttemptRecord& arec, int n) {
        if (attempt.failure == AttemptFailure::retryable_status) {
            co_await relay_final(attempt, arec);
        } else if (!final_head_sent_ && !client_gone_) {
            const auto& up = config_.upstream;
            std::string why = fmt::format("{} (upstream {}:{}", attempt.summary, up.host, up.port);
            if (arec.error) why += ": " + arec.error->message;
            why += fmt::format("; {} attempt{})", n, n == 1 ? "" : "s");
            co_await answer_from_proxy(attempt.timed_out ? 504 : 502, why,
                                       attempt.timed_out ? Outcome::timeout : Outcome::upstream_error);
        }
        if (!response_started_ && client_gone_) outcome_ = Outcome::client_abort;
    }

    // ROUND_TRIP_NOTES §2: hop-by-hop removal, X-Forwarded-*, rtproxy's own framing.
    void make_upstream_copy(http::Framing client_framing) {
        ForwardContext context;
        context.peer_ip = client_.info.addr;
        context.client_tls = client_.info.tls;
        context.peer_trusted = client_.trusted;
        context.framing = client_framing;
        forwarded_ = forward_request_headers(head_.headers, context);

        http::RequestHead copy_head{head_.method, head_.target, "HTTP/1.1", std::move(forwarded_.headers)};
        upstream_framing_ = client_framing.kind;
        expect_continue_ = forwarded_.expect_continue && client_framing.kind != http::BodyFraming::none;
        http::append_request_head(upstream_head_bytes_, copy_head);

        record::UpstreamRequestRecord copy;
        // Serialised above: its parts move into the record instead of being copied.
        copy.method = std::move(copy_head.method);
        copy.target = std::move(copy_head.target);
        copy.version = std::move(copy_head.version);
        copy.headers = std::move(copy_head.headers.list());
        copy.body_framing = upstream_framing_;
        copy.changes = std::move(forwarded_.changes);
        rec_.upstream_request = std::move(copy);
        rec_.x_forwarded_proto = forwarded_.x_forwarded_proto;
    }

    // One attempt: a connection, the request, and the response head (1xx relayed on the way).
    // `attempt` is the caller's, not returned: a coroutine's result lives in its frame, and
    // this frame was just over the size glibc caches per thread.
    asio::awaitable<void> attempt_once(Attempt& attempt, record::AttemptRecord& arec, Clock::time_point started) {
        attempt_started_ = started;
        auto offset = [&] { return ms_between(attempt_started_, Clock::now()); };

        attempt.conn = pool_.take_idle(started);
        if (!attempt.conn) {
            auto dialed = co_await pool_.dial(arec.n);
            arec.timings.dns_ms = dialed.dns_ms;
            if (dialed.connect_ms) arec.timings.connect_ms = (dialed.dns_ms ? *dialed.dns_ms : 0) + *dialed.connect_ms;
            if (dialed.tls_ms) arec.timings.tls_ms = *arec.timings.connect_ms + *dialed.tls_ms;
            if (!dialed.connection) {
                const auto& e = *dialed.error;
                attempt.failure = e.op == Op::resolve ? AttemptFailure::resolve_failed
                                  : e.op == Op::tls   ? AttemptFailure::tls_failed
                                                      : AttemptFailure::connect_failed;
                attempt.timed_out = e.kind == "timeout";
                attempt.summary = e.op == Op::tls ? "TLS handshake with the upstream failed"
                                  : fmt::format("{} {}", e.op == Op::resolve ? "resolve" : "connect",
                                                e.kind == "unresolved" ? "failed" : e.kind);
                arec.error = e;
                co_return;
            }
            attempt.conn = std::move(dialed.connection);
        }
        arec.conn = record::ConnRecord{attempt.conn->reused, attempt.conn->local, attempt.conn->remote};

        // The request: head, then (after a 100 Continue when asked) the body.
        const bool reused = attempt.conn->reused;
        std::string_view head = upstream_head_bytes_;
        if (expect_continue_ && !body_->started()) {
            auto [ec, n] = co_await attempt.conn->write(asio::buffer(head));
            (void)n;
            if (ec) {
                fail_upstream_write(attempt, arec, io_error(Op::write, Peer::upstream, Phase::request_head, ec, 0, arec.n),
                                    reused);
                co_return;
            }
            attempt.request_written = true;
            head = {};
            if (!co_await await_continue(attempt, arec)) co_return;
            if (attempt.final_head) {  // a final answer instead of 100: the body is not sent
                attempt.expect_rejected = true;
                attempt.response_framing = http::response_framing(*attempt.final_head, head_.method).framing;
                co_return;
            }
        }
        RequestBody::SendResult sent;
        if (body_->none() && !head.empty()) {
            auto [ec, n] = co_await attempt.conn->write(asio::buffer(head));
            (void)n;
            sent = RequestBody::head_only(ec, arec.n);
        } else {
            sent = co_await body_->send(*attempt.conn, head, upstream_framing_, arec.n);
        }
        arec.body_source = sent.source;
        arec.request_body_bytes_written = sent.body_bytes_written;
        rec_.upstream_request->body_bytes = sent.body_bytes_written;
        rec_.upstream_request->trailers = body_->trailers().list();
        attempt.request_written = attempt.request_written || sent.head_written || sent.body_bytes_written > 0;
        if (sent.error) {
            if (sent.client_failure != ClientFailure::none) {
                // The client's side failed, not the upstream's: its body was malformed (a
                // smuggling attempt looks like this), it stalled, or the client went away.
                // The upstream got a cut request and that connection is closed.
                rec_.errors.push_back(*sent.error);
                body_failure_ = sent.client_failure;
                client_gone_ = body_failure_ == ClientFailure::gone;
                attempt.failure = AttemptFailure::client_gone;
                attempt.summary = body_failure_ == ClientFailure::malformed
                                      ? "the client's body is malformed: " + sent.error->message
                                  : body_failure_ == ClientFailure::stalled
                                      ? "the client stalled in its body: " + sent.error->message
                                      : "client went away while sending its body";
                attempt.conn.reset();
                co_return;
            }
            // An upstream that stops reading mid-body has often answered already (413, 401):
            // that answer is what the client should get, not a 502 (Go's transport reads
            // the response on a write error too). The write error stays on the attempt.
            if (sent.head_written && !reused) {
                auto write_error = *sent.error;
                if (co_await read_response_head(attempt, arec, false)) {
                    arec.error = std::move(write_error);
                    co_return;
                }
                attempt.conn = nullptr;
                attempt.failure = AttemptFailure::failed_after_write;
                attempt.summary = fmt::format("upstream write failed ({})", write_error.kind);
                arec.error = std::move(write_error);
                co_return;
            }
            fail_upstream_write(attempt, arec, *sent.error, reused);
            co_return;
        }
        arec.timings.request_written_ms = offset();

        co_await read_response_head(attempt, arec, false);
        co_return;
    }

    void fail_upstream_write(Attempt& attempt, record::AttemptRecord& arec, record::ErrorRecord error, bool reused) {
        // A reused connection that fails on the first write was closed by the upstream
        // while idle: nothing reached it (Go's errServerClosedIdle).
        attempt.failure = reused && arec.request_body_bytes_written == 0 ? AttemptFailure::stale_pooled_connection
                                                                          : AttemptFailure::failed_after_write;
        attempt.summary = fmt::format("upstream write failed ({})", error.kind);
        arec.error = std::move(error);
        attempt.conn.reset();
    }

    // Expect: 100-continue. No client body is read until the upstream says 100 or
    // --expect-timeout passes (ROUND_TRIP_NOTES §4). False when the attempt failed.
    asio::awaitable<bool> await_continue(Attempt& attempt, record::AttemptRecord& arec) {
        // Over TLS a readable socket may only hold a session ticket, not an answer, so
        // "is there a reply yet" cannot be asked without reading: send the body at once.
        if (attempt.conn->tls()) co_return true;
        auto readable = [&]() -> asio::awaitable<std::error_code> {
            auto [ec] = co_await attempt.conn->tcp().async_wait(asio::ip::tcp::socket::wait_read,
                                                                 use_tuple);
            co_return ec;
        };
        auto waited = co_await within(config_.expect_timeout, readable());
        if (!waited) {
            rec_.errors.push_back(protocol_error(
                Peer::upstream, Phase::interim, "timeout",
                fmt::format("no 100 from upstream within {}; sending body", human_duration(config_.expect_timeout)), 0,
                arec.n));
            co_return true;
        }
        co_return co_await read_response_head(attempt, arec, true);
    }

    // Reads response heads until a final one, relaying each 1xx (not 101) to the client as
    // it arrives. With `until_continue`, returns after a 100 too. False on failure.
    asio::awaitable<bool> read_response_head(Attempt& attempt, record::AttemptRecord& arec, bool until_continue) {
        auto& conn = *attempt.conn;
        http::ResponseHeadParser parser(limits_);
        int interim_count = 0;
        for (;;) {
            // Nothing buffered (the usual case right after the request went out): read first.
            if (!conn.in.empty()) {
                auto parsed = parser.parse(conn.in.readable());
                if (parsed.status == http::ParseStatus::complete) {
                    conn.in.consume(parsed.consumed);
                    parser.reset();
                    auto& head = parsed.head;
                    if (head.is_interim() && head.status != 101) {
                        if (++interim_count > 32) {
                            fail_upstream_protocol(attempt, arec, Phase::interim, "too_large",
                                                   "more than 32 interim (1xx) responses");
                            co_return false;
                        }
                        if (!co_await relay_interim(head, arec)) co_return false;
                        if (until_continue && head.status == 100) co_return true;
                        continue;
                    }
                    arec.status = head.status;
                    auto framing = http::response_framing(head, head_.method);
                    if (!framing.ok) {
                        fail_upstream_protocol(attempt, arec, Phase::response_head, framing.error.kind,
                                               framing.error.reason);
                        co_return false;
                    }
                    attempt.response_framing = framing.framing;
                    attempt.final_head = std::move(head);
                    co_return true;
                }
                if (parsed.status == http::ParseStatus::error) {
                    fail_upstream_protocol(attempt, arec, Phase::response_head, parsed.error.kind, parsed.error.reason);
                    co_return false;
                }
            }
            std::optional<std::tuple<std::error_code, std::size_t>> got;
            if (config_.response_header_timeout)
                got = co_await within(*config_.response_header_timeout, conn.read_some(conn.in.prepare()));
            else
                got = co_await conn.read_some(conn.in.prepare());
            if (!got) {
                attempt.timed_out = true;
                attempt.failure = AttemptFailure::failed_after_write;
                attempt.summary = fmt::format("no response head within --response-header-timeout ({})",
                                              human_duration(*config_.response_header_timeout));
                arec.error = io_error(Op::read, Peer::upstream, Phase::response_head, asio::error::timed_out, 0,
                                      arec.n, true);
                attempt.conn.reset();
                co_return false;
            }
            auto [ec, n] = *got;
            if (ec) {
                // A reused connection that yields nothing at all was closed while idle: the
                // upstream never read this request (the race Go and browsers retry once).
                const bool stale = conn.reused && !attempt.response_bytes;
                attempt.failure = stale ? AttemptFailure::stale_pooled_connection : AttemptFailure::failed_after_write;
                if (is_end_of_stream(ec))
                    attempt.summary = "upstream closed the connection before responding";
                else if (ec == asio::error::connection_reset)
                    attempt.summary = "upstream reset the connection before responding";
                else
                    attempt.summary = fmt::format("reading from the upstream failed ({}) before it responded", error_kind(ec));
                arec.error = io_error(Op::read, Peer::upstream, interim_count ? Phase::interim : Phase::response_head, ec,
                                      0, arec.n);
                attempt.conn.reset();
                co_return false;
            }
            if (!attempt.response_bytes) {
                attempt.response_bytes = true;
                const auto now = Clock::now();
                arec.timings.first_byte_ms = ms_between(attempt_started_, now);
                if (!upstream_first_byte_) upstream_first_byte_ = now;
            }
            conn.in.commit(n);
        }
    }

    void fail_upstream_protocol(Attempt& attempt, record::AttemptRecord& arec, Phase phase, std::string kind,
                                std::string why) {
        attempt.failure = AttemptFailure::failed_after_write;
        attempt.summary = "malformed response from upstream: " + why;
        arec.error = protocol_error(Peer::upstream, phase, std::move(kind), std::move(why), 0, arec.n);
        attempt.conn.reset();
    }

    // 102, 103 and other 1xx go to HTTP/1.1 clients in order, with their headers, flushed
    // at once; never to HTTP/1.0 clients (RFC 9110 §15.2).
    asio::awaitable<bool> relay_interim(const http::ResponseHead& head, record::AttemptRecord& arec) {
        record::InterimRecord interim;
        interim.status = head.status;
        interim.reason = head.reason;
        interim.headers = head.headers.list();
        interim.at_ms = ms_between(started_, Clock::now());
        interim.attempt = arec.n;
        interim.forwarded = head_.version == "HTTP/1.1";
        if (!upstream_first_byte_) upstream_first_byte_ = Clock::now();
        if (interim.forwarded) {
            const std::string bytes = client_head(head, false, false);
            mark_response_started();
            auto [ec, n] = co_await client_.stream.write(asio::buffer(bytes));
            (void)n;
            if (ec) {
                rec_.interim.push_back(std::move(interim));
                rec_.errors.push_back(io_error(Op::write, Peer::client, Phase::interim, ec, 0, arec.n));
                client_gone_ = true;
                outcome_ = Outcome::client_abort;
                co_return false;
            }
        }
        rec_.interim.push_back(std::move(interim));
        co_return true;
    }

    // A response's head as the client gets it: HTTP/1.1, hop-by-hop fields left out
    // (ROUND_TRIP_NOTES §5), then rtproxy's own framing fields when asked for.
    static std::string client_head(const http::ResponseHead& head, bool chunked, bool close) {
        using http::HeadWriter;
        std::string bytes;
        {  // the writer cuts `bytes` to what it wrote when it goes, before the return
            HeadWriter out(bytes, HeadWriter::head_bound("HTTP/1.1", head.reason, head.headers) +
                                      HeadWriter::field_size("Transfer-Encoding", "chunked") +
                                      HeadWriter::field_size("Connection", "close"));
            out.status_line("HTTP/1.1", head.status, head.reason);
            const ResponseFieldFilter filter(head.headers);
            for (const auto& field : head.headers)
                if (filter.forwards(field)) out.field(field.name, field.value);
            if (chunked) out.field("Transfer-Encoding", "chunked");
            if (close) out.field("Connection", "close");
            out.end();
        }
        return bytes;
    }

    void mark_final_head_sent() {
        final_head_sent_ = true;
        mark_response_started();
    }

    void mark_response_started() {
        response_started_ = true;
        if (!client_first_byte_) client_first_byte_ = Clock::now();
    }

    // The final response: head with hop-by-hop fields stripped, then the body, streamed.
    asio::awaitable<void> relay_final(Attempt& attempt, record::AttemptRecord& arec) {
        auto& upstream_head = *attempt.final_head;
        record::ResponseRecord response;
        response.status = upstream_head.status;
        response.reason = upstream_head.reason;
        response.version = upstream_head.version;
        response.body_framing = attempt.response_framing.kind;
        response.source = record::ResponseRecord::Source::upstream;

        if (upstream_head.status == 101) {
            response.headers = upstream_head.headers.list();
            rec_.response = std::move(response);
            co_await relay_switching_protocols(attempt, arec);
            co_return;
        }

        // Which framing the client gets (RFC 9112 §6): chunked for an HTTP/1.1 client when
        // the upstream's body is chunked or close-delimited; close for an HTTP/1.0 client.
        const bool client11 = head_.version == "HTTP/1.1";
        ClientFraming client_framing = ClientFraming::none;
        switch (attempt.response_framing.kind) {
            case http::BodyFraming::none: client_framing = ClientFraming::none; break;
            case http::BodyFraming::length: client_framing = ClientFraming::length; break;
            case http::BodyFraming::chunked:
            case http::BodyFraming::close:
                client_framing = client11 ? ClientFraming::chunked : ClientFraming::close;
                break;
        }
        // The client connection ends after this response when the client asked, when its
        // request body was not read to the end, or when the body is close-delimited.
        if (attempt.expect_rejected && !body_->fully_read()) client_keep_alive_ = false;
        if (client_framing == ClientFraming::close) client_keep_alive_ = false;

        std::string head_bytes =
            client_head(upstream_head, client_framing == ClientFraming::chunked, !client_keep_alive_ && client11);
        const bool upstream_keeps_alive = upstream_reusable(upstream_head, attempt.response_framing);
        response.headers = std::move(upstream_head.headers.list());

        mark_final_head_sent();
        RelayResult relayed;
        if (auto body = body_read_with_head(*attempt.conn, attempt.response_framing)) {
            // The usual small response: head and body leave in one write, no streaming loop.
            const std::array<asio::const_buffer, 2> pieces{asio::buffer(head_bytes), asio::buffer(*body)};
            auto [ec, n] = co_await client_.stream.write(pieces);
            (void)n;
            relayed = relayed_at_once(ec, body->size(), arec.n);
            attempt.conn->in.consume(body->size());
        } else {
            relayed = co_await relay_response(*attempt.conn, client_.stream, std::move(head_bytes),
                                              attempt.response_framing, client_framing, limits_, arec.n);
        }
        response.body_bytes = relayed.body_bytes;
        response.trailers = relayed.trailers.list();
        rec_.response = std::move(response);

        if (relayed.error) {
            client_keep_alive_ = false;
            if (relayed.client_failed) {
                // The client went away mid-response: stop reading the upstream and close that
                // connection, never pool it (ROUND_TRIP_NOTES §5).
                rec_.errors.push_back(*relayed.error);
                outcome_ = Outcome::client_abort;
            } else {
                // The upstream failed mid-body: the client's connection is closed without the
                // last chunk / with the body short, so it can tell the response was cut.
                arec.error = *relayed.error;
                arec.retry = {Decision::give_up, "response already started to the client; cannot retry"};
                outcome_ = Outcome::upstream_error;
            }
            attempt.conn.reset();
            co_return;
        }
        if (!body_->fully_read()) client_keep_alive_ = false;
        if (upstream_keeps_alive && attempt.conn->in.empty() &&
            !attempt.expect_rejected && body_->fully_read())
            pool_.give_back(std::move(attempt.conn));
        else
            attempt.conn.reset();
    }

    asio::awaitable<void> relay_switching_protocols(Attempt& attempt, record::AttemptRecord& arec) {
        auto& head = *attempt.final_head;
        const auto* answered = head.headers.find("Upgrade");
        std::string why;
        if (!forwarded_.upgrade)
            why = "upstream switched protocols (101) but the client did not ask to upgrade";
        else if (!answered || !http::iequals(http::trim_ows(answered->value).substr(0, forwarded_.upgrade->size()),
                                             *forwarded_.upgrade))
            why = fmt::format("upstream switched to \"{}\", the client asked for \"{}\"", answered ? answered->value : "",
                              *forwarded_.upgrade);
        if (!why.empty()) {
            arec.error = protocol_error(Peer::upstream, Phase::response_head, "malformed", why, 0, arec.n);
            arec.retry = {Decision::give_up, why};
            attempt.conn.reset();
            rec_.response.reset();
            co_await answer_from_proxy(502, why, Outcome::upstream_error);
            co_return;
        }
        http::ResponseHead out{"HTTP/1.1", 101, head.reason, strip_response_hop_by_hop(head.headers, true)};
        std::string bytes;
        http::append_response_head(bytes, out);
        mark_final_head_sent();
        auto result = co_await run_tunnel(client_, *attempt.conn, std::move(bytes), *forwarded_.upgrade, arec.n);
        rec_.tunnel = result.tunnel;
        for (auto& e : result.errors) {
            if (e.peer == Peer::upstream)
                arec.error = e;
            else
                rec_.errors.push_back(e);
        }
        client_keep_alive_ = false;
        attempt.conn.reset();
    }

    // A response listed in --retry-on-status is not relayed: read and drop its body when
    // small, otherwise close that connection.
    asio::awaitable<void> discard_response(Attempt& attempt) {
        constexpr std::uint64_t drain_limit = 64 * 1024;
        auto& conn = *attempt.conn;
        http::BodyDecoder decoder(attempt.response_framing, limits_);
        std::uint64_t dropped = 0;
        bool need_more = false;  // what is buffered is only part of the framing's next piece
        while (attempt.response_framing.kind != http::BodyFraming::none && !decoder.done()) {
            if (attempt.response_framing.kind == http::BodyFraming::close || dropped > drain_limit) {
                attempt.conn.reset();
                co_return;
            }
            if (conn.in.empty() || need_more) {
                auto [ec, n] = co_await conn.read_some(conn.in.prepare());
                if (ec) {
                    attempt.conn.reset();
                    co_return;
                }
                conn.in.commit(n);
            }
            auto step = decoder.decode(conn.in.readable());
            if (step.error) {
                attempt.conn.reset();
                co_return;
            }
            conn.in.consume(step.consumed);
            need_more = step.consumed == 0;
            dropped += step.data.size();
        }
        if (upstream_reusable(*attempt.final_head, attempt.response_framing) && conn.in.empty())
            pool_.give_back(std::move(attempt.conn));
        else
            attempt.conn.reset();
    }

    // Waits before the next attempt; ends early (false) when the client goes away. Bytes
    // the client sends meanwhile (its body, a pipelined request) are kept.
    asio::awaitable<bool> wait_backoff(std::chrono::milliseconds backoff) {
        using namespace asio::experimental::awaitable_operators;
        asio::steady_timer timer(client_.stream.tcp().get_executor(), backoff);
        for (;;) {
            auto result = co_await (timer.async_wait(use_tuple) ||
                                    client_.stream.read_some(client_.in.prepare()));
            if (result.index() == 0) co_return true;
            auto [ec, n] = std::get<1>(result);
            if (ec) {
                rec_.errors.push_back(io_error(Op::read, Peer::client, Phase::request_body, ec,
                                               body_->bytes_received(), std::nullopt));
                rec_.attempts.back().retry.reason += "; the client went away during the backoff, no further attempt";
                rec_.attempts.back().retry.decision = Decision::give_up;
                client_gone_ = true;
                co_return false;
            }
            client_.in.commit(n);
        }
    }

    asio::awaitable<void> answer_from_proxy(int status, std::string_view why, Outcome outcome) {
        outcome_ = outcome;
        client_keep_alive_ = false;
        auto answer = make_proxy_response(status, why);
        rec_.response = response_record(answer);
        mark_final_head_sent();
        auto [ec, n] = co_await client_.stream.write(asio::buffer(answer.bytes));
        (void)n;
        if (ec) {
            rec_.errors.push_back(io_error(Op::write, Peer::client, Phase::response_head, ec, 0, std::nullopt));
            outcome_ = Outcome::client_abort;
        }
    }

    bool finish(bool keep_alive) {
        const auto now = Clock::now();
        rec_.request.headers = std::move(head_.headers.list());
        if (body_) {
            rec_.request.body_bytes = body_->bytes_received();
            rec_.request.trailers = body_->trailers().list();
            rec_.body_buffer = body_->buffer_record();
            if (auto at = body_->finished_at()) rec_.timings.request_body_ms = ms_between(started_, *at);
        }
        rec_.body_buffer.limit = config_.buffer_body;
        if (upstream_first_byte_) rec_.timings.upstream_first_byte_ms = ms_between(started_, *upstream_first_byte_);
        if (client_first_byte_) rec_.timings.response_first_byte_ms = ms_between(started_, *client_first_byte_);
        rec_.duration_ms = ms_between(started_, now);
        rec_.timings.total_ms = rec_.duration_ms;
        rec_.outcome = outcome_;
        server_.publish(rec_);
        return keep_alive && outcome_ == Outcome::ok;
    }

    ServerContext& server_;
    const Config& config_;
    UpstreamPool& pool_;
    ClientSide& client_;
    http::RequestHead head_;
    record::RoundTripRecord rec_;
    Clock::time_point started_;
    Clock::time_point first_attempt_started_;
    Clock::time_point attempt_started_;
    int retries_used_ = 0;
    bool stale_retry_used_ = false;  // the one free retry of a stale pooled connection
    http::Limits limits_;

    std::optional<RequestBody> body_;
    ForwardedRequest forwarded_;
    std::string upstream_head_bytes_;
    http::BodyFraming upstream_framing_ = http::BodyFraming::none;
    bool expect_continue_ = false;
    bool client_keep_alive_ = true;
    bool client_gone_ = false;
    ClientFailure body_failure_ = ClientFailure::none;  // why the client's side of its body failed
    bool response_started_ = false;  // a byte of a response (1xx included) reached the client
    bool final_head_sent_ = false;   // the final response head (not a 1xx) went to the client
    Outcome outcome_ = Outcome::ok;
    std::optional<Clock::time_point> upstream_first_byte_;
    std::optional<Clock::time_point> client_first_byte_;
};

}  // namespace

struct RoundTripSlot::Storage {
    std::optional<RoundTrip> trip;
};

RoundTripSlot::RoundTripSlot() : storage_(std::make_unique<Storage>()) {}
RoundTripSlot::~RoundTripSlot() = default;

asio::awaitable<bool> RoundTripSlot::run(ServerContext& server, UpstreamPool& pool, ClientSide& client,
                                         RoundTripStart& start) {
    return storage_->trip.emplace(server, pool, client, start).run();
}

void RoundTripSlot::end() { storage_->trip.reset(); }

}  // namespace rtproxy::proxy
