#include "proxy/io_error.hpp"

#include <asio/error.hpp>
#include <asio/ssl/error.hpp>

namespace rtproxy::proxy {

bool is_end_of_stream(const std::error_code& ec) {
    return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

std::string error_kind(const std::error_code& ec, bool timed_out) {
    if (timed_out || ec == asio::error::timed_out) return "timeout";
    if (is_end_of_stream(ec)) return "eof";
    if (ec == asio::error::connection_reset) return "reset";
    if (ec == asio::error::connection_refused) return "refused";
    if (ec == asio::error::broken_pipe || ec == asio::error::not_connected || ec == asio::error::shut_down)
        return "closed";
    if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again ||
        ec == asio::error::no_data)
        return "unresolved";
    if (ec == asio::error::network_unreachable || ec == asio::error::host_unreachable) return "unreachable";
    if (ec.category() == asio::error::get_ssl_category()) return "tls";
    if (ec == asio::error::operation_aborted) return "closed";
    return "io";
}

record::ErrorRecord io_error(record::Op op, record::Peer peer, record::Phase phase, const std::error_code& ec,
                             std::uint64_t bytes, std::optional<int> attempt, bool timed_out) {
    record::ErrorRecord e;
    e.op = op;
    e.peer = peer;
    e.phase = phase;
    e.kind = error_kind(ec, timed_out);
    e.message = timed_out ? "timed out" : ec.message();
    e.bytes = bytes;
    e.attempt = attempt;
    return e;
}

record::ErrorRecord protocol_error(record::Peer peer, record::Phase phase, std::string kind, std::string message,
                                   std::uint64_t bytes, std::optional<int> attempt) {
    record::ErrorRecord e;
    e.op = record::Op::read;  // a protocol violation is found while reading what the peer sent
    e.peer = peer;
    e.phase = phase;
    e.kind = std::move(kind);
    e.message = std::move(message);
    e.bytes = bytes;
    e.attempt = attempt;
    return e;
}

}  // namespace rtproxy::proxy
