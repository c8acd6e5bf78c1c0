#pragma once
// Turns an asio::error_code into an ErrorRecord at the place the I/O failed: that place is
// the only one that knows whether it was a read or a write, and on which side.
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

#include "record/error_record.hpp"

namespace rtproxy::proxy {

// The peer closed its side: EOF, or over TLS a close without close_notify, which many
// servers skip (OpenSSL reports it as a truncated stream; Go and curl take it as EOF too).
bool is_end_of_stream(const std::error_code& ec);

// "reset", "eof", "timeout", "refused", "closed", "unresolved", "unreachable", "tls", or
// "io". A TLS peer that closes without close_notify is "eof", as it would be over TCP; the
// message still says the stream was truncated.
std::string error_kind(const std::error_code& ec, bool timed_out = false);

record::ErrorRecord io_error(record::Op op, record::Peer peer, record::Phase phase, const std::error_code& ec,
                             std::uint64_t bytes, std::optional<int> attempt, bool timed_out = false);

record::ErrorRecord protocol_error(record::Peer peer, record::Phase phase, std::string kind, std::string message,
                                   std::uint64_t bytes, std::optional<int> attempt);

}  // namespace rtproxy::proxy
