#include "proxy/request_body.hpp"

#include <tuple>

#include "proxy/use_tuple.hpp"
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "proxy/gather_write.hpp"
#include "proxy/human_units.hpp"
#include "proxy/io_error.hpp"

namespace rtproxy::proxy {

using record::Op;
using record::Peer;
using record::Phase;

RequestBody::RequestBody(ClientSide& client, http::Framing client_framing, const Config& config,
                         BodyBufferBudget& budget)
    : client_(client),
      decoder_(client_framing, http::Limits{config.max_head_bytes, config.max_header_fields, config.max_head_bytes}),
      framing_(client_framing),
      limit_(config.buffer_body),
      read_timeout_(config.read_body_timeout),
      budget_(budget) {
    if (framing_.kind == http::BodyFraming::none) return;
    if (limit_ == 0) {
        overflowed_ = true;
        not_replayable_reason_ = "body buffering is off (--buffer-body 0), cannot replay";
        return;
    }
    // A body of known length that cannot fit is not buffered at all (memory released at once).
    if (framing_.kind == http::BodyFraming::length && framing_.content_length > limit_) {
        overflowed_ = true;
        not_replayable_reason_ = fmt::format("body larger than --buffer-body ({}), cannot replay", human_size(limit_));
        return;
    }
    const std::uint64_t want = framing_.kind == http::BodyFraming::length ? framing_.content_length : limit_;
    if (!budget_.reserve(want)) {
        overflowed_ = true;
        not_replayable_reason_ =
            want > config.buffer_total
                ? fmt::format("body larger than --buffer-total ({}), cannot replay", human_size(config.buffer_total))
                : fmt::format("--buffer-total ({}) is taken by other requests' bodies; not buffered, cannot replay",
                              human_size(config.buffer_total));
        return;
    }
    reserved_ = want;
}

RequestBody::~RequestBody() {
    if (reserved_) budget_.release(reserved_);
}

void RequestBody::tee(std::string_view data) {
    if (overflowed_) return;
    if (buffer_.size() + data.size() > limit_) {
        overflowed_ = true;
        not_replayable_reason_ = fmt::format("body larger than --buffer-body ({}), cannot replay", human_size(limit_));
        std::string().swap(buffer_);
        budget_.release(reserved_);
        reserved_ = 0;
        return;
    }
    buffer_.append(data);
}

record::BodyBufferRecord RequestBody::buffer_record() const {
    record::BodyBufferRecord r;
    r.limit = limit_;
    r.buffered = framing_.kind != http::BodyFraming::none && !overflowed_;
    r.bytes = overflowed_ ? 0 : buffer_.size();
    r.replayable = !overflowed_ || framing_.kind == http::BodyFraming::none;
    return r;
}

RequestBody::SendResult RequestBody::head_only(std::error_code ec, int attempt) {
    SendResult result;
    if (ec)
        result.error = io_error(Op::write, Peer::upstream, Phase::request_head, ec, 0, attempt);
    else
        result.head_written = true;
    return result;
}

asio::awaitable<RequestBody::SendResult> RequestBody::send(UpstreamConnection& upstream, std::string_view head,
                                                           http::BodyFraming upstream_framing, int attempt) {
    SendResult result;
    result.head_written = head.empty();  // an empty head: it went out earlier (Expect: 100-continue)
    const bool chunked = upstream_framing == http::BodyFraming::chunked;
    GatherWrite out;
    out.add_view(head);  // the caller's upstream copy, kept for every attempt
    std::uint64_t head_bytes = out.size();
    std::uint64_t pending_payload = 0;  // payload bytes queued in `out`
    bool last_chunk_added = false;

    auto add_payload = [&](std::string_view data) {
        if (chunked)
            out.add_chunk(data);
        else
            out.add_view(data);
        pending_payload += data.size();
    };
    // What a write of `out` came to; false when it failed. Not a coroutine of its own: the
    // write is awaited where it is needed, without a coroutine frame per write.
    auto flushed = [&](std::error_code ec, std::size_t written) {
        out.clear();
        if (ec) {
            const bool in_head = written < head_bytes;
            result.error = io_error(Op::write, Peer::upstream, in_head ? Phase::request_head : Phase::request_body, ec,
                                    result.body_bytes_written, attempt);
            return false;
        }
        if (head_bytes) result.head_written = true;
        head_bytes = 0;
        result.body_bytes_written += pending_payload;
        pending_payload = 0;
        return true;
    };

    if (framing_.kind != http::BodyFraming::none) {
        if (bytes_from_client_ > 0) {
            result.source = record::BodySource::buffer;
            add_payload(buffer_);
        } else {
            result.source = record::BodySource::stream;
        }
    }

    // Bytes already buffered are decoded first. Every later pass starts with a read: a pass
    // ends short of done only when the decoder can take nothing more from what is buffered
    // (part of a chunk-size line, of a CRLF, of a trailer), left-over bytes or not.
    bool read_first = client_.in.empty();
    while (framing_.kind != http::BodyFraming::none && !decoder_.done()) {
        if (read_first) {
            if (!out.empty()) {
                auto [ec, written] = co_await out.write(upstream);
                if (!flushed(ec, written)) co_return result;
            }
            auto space = client_.in.prepare(64 * 1024);
            // A client that stops sending in the middle of its body, without closing, would
            // otherwise hold its connection and an upstream connection for as long as the
            // upstream waits (Caddy's read_body timeout; here it counts silence, not the
            // whole upload, so a slow but live upload is never cut).
            client_.read_deadline = std::chrono::steady_clock::now() + read_timeout_;
            auto [ec, n] = co_await client_.stream.read_some(space);
            client_.read_deadline = std::chrono::steady_clock::time_point::max();
            if (ec || client_.timed_out) {
                result.client_failure = client_.timed_out ? ClientFailure::stalled : ClientFailure::gone;
                result.error = io_error(Op::read, Peer::client, Phase::request_body, ec, bytes_from_client_, attempt,
                                        client_.timed_out);
                if (client_.timed_out)
                    result.error->message = fmt::format("nothing from the client for --read-body-timeout ({})",
                                                        human_duration(read_timeout_));
                co_return result;
            }
            client_.in.commit(n);
        }
        read_first = true;
        // Decode everything available; the views stay valid until consume() below.
        std::string_view available = client_.in.readable();
        std::size_t used = 0;
        while (!decoder_.done()) {
            auto step = decoder_.decode(available.substr(used));
            if (step.error) {
                const auto& e = decoder_.error();
                result.error = protocol_error(Peer::client, Phase::request_body, e.kind, e.reason, bytes_from_client_,
                                              attempt);
                result.client_failure = ClientFailure::malformed;
                co_return result;
            }
            if (step.consumed == 0) break;
            used += step.consumed;
            bytes_from_client_ += step.data.size();
            tee(step.data);
            add_payload(step.data);
        }
        if (decoder_.done()) {
            finished_at_ = std::chrono::steady_clock::now();
            if (chunked) {
                out.add_last_chunk(decoder_.trailers());
                last_chunk_added = true;
            }
        }
        std::error_code write_error;
        std::size_t written = 0;
        if (!out.empty()) std::tie(write_error, written) = co_await out.write(upstream);
        const bool ok = flushed(write_error, written);
        client_.in.consume(used);
        if (!ok) co_return result;
    }
    // A replay of a body that had already been read completely never entered the loop:
    // its last chunk is still to be written.
    if (chunked && decoder_.done() && !last_chunk_added) out.add_last_chunk(decoder_.trailers());
    if (!out.empty()) {
        auto [ec, written] = co_await out.write(upstream);
        flushed(ec, written);
    }
    co_return result;
}

}  // namespace rtproxy::proxy
