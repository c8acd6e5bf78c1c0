#pragma once
// Turns an asio::error_code into an ErrorRecord at the place the I/O failed: that place is
// the only one that knows whether it was a read or a write, and on which side.
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

#include "record/error_record.hpp"

namespace rtproxy::proxy {

// "reset", "eof", "timeout", "refused", "closed", "unresolved", "tls", or "io".
std::string error_kind(const std::error_code& ec, bool timed_out = false);

record::ErrorRecord io_error(record::Op op, record::Peer peer, record::Phase phase, const std::error_code& ec,
                             std::uint64_t bytes, std::optional<int> attempt, bool timed_out = false);

record::ErrorRecord protocol_error(record::Peer peer, record::Phase phase, std::string kind, std::string message,
                                   std::uint64_t bytes, std::optional<int> attempt);

}  // namespace rtproxy::proxy
