#pragma once
// The contract's spelling of every record enum (ROUND_TRIP.md), in one place for every sink.
#include <string_view>

#include "record/round_trip_record.hpp"

namespace rtproxy::record {

constexpr std::string_view to_string(HeaderChange::Op op) {
    switch (op) {
        case HeaderChange::Op::add: return "add";
        case HeaderChange::Op::remove: return "remove";
        case HeaderChange::Op::replace: return "replace";
    }
    return "add";
}

constexpr std::string_view to_string(BodySource source) {
    switch (source) {
        case BodySource::none: return "none";
        case BodySource::stream: return "stream";
        case BodySource::buffer: return "buffer";
    }
    return "none";
}

constexpr std::string_view to_string(RetryDecision::Decision decision) {
    switch (decision) {
        case RetryDecision::Decision::retry: return "retry";
        case RetryDecision::Decision::give_up: return "give_up";
        case RetryDecision::Decision::not_needed: return "not_needed";
    }
    return "not_needed";
}

constexpr std::string_view to_string(ResponseRecord::Source source) {
    return source == ResponseRecord::Source::proxy ? "proxy" : "upstream";
}

constexpr std::string_view to_string(TunnelRecord::ClosedBy closed_by) {
    switch (closed_by) {
        case TunnelRecord::ClosedBy::client: return "client";
        case TunnelRecord::ClosedBy::upstream: return "upstream";
        case TunnelRecord::ClosedBy::timeout: return "timeout";
        case TunnelRecord::ClosedBy::shutdown: return "shutdown";
    }
    return "client";
}

constexpr std::string_view to_string(Outcome outcome) {
    switch (outcome) {
        case Outcome::ok: return "ok";
        case Outcome::upstream_error: return "upstream_error";
        case Outcome::client_abort: return "client_abort";
        case Outcome::client_error: return "client_error";
        case Outcome::timeout: return "timeout";
        case Outcome::proxy_error: return "proxy_error";
    }
    return "ok";
}

}  // namespace rtproxy::record
