#pragma once
// Upstream scripts for the retry tests (ROUND_TRIP_NOTES §3): the first connection fails in
// a chosen way, the later ones answer, and every request the upstream read is kept so a
// test can compare what a replay sent with what the client sent.
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "harness/scripted_upstream.hpp"

namespace rtproxy::integration {

// `first` runs on the upstream's first connection, `then` on every later one.
Script first_connection(Script first, Script then);

// Accepts and resets (RST) without reading a byte.
Script reset_without_reading();

struct LoggedRequest {
    std::size_t connection = 0;  // the upstream connection it arrived on (accept order)
    ReceivedRequest request;
};

// Requests as the upstream read them, whole (body included), across connections.
class RequestLog {
public:
    void add(std::size_t connection, const ReceivedRequest& request);
    std::vector<LoggedRequest> entries() const;

private:
    mutable std::mutex mutex_;
    std::vector<LoggedRequest> entries_;
};

// Reads one whole request (logged) and resets before any response byte.
Script read_request_then_reset(RequestLog& log);

// Like serve(): answers each request with what `responder` returns, logging each request.
Script serve_logged(RequestLog& log, std::function<std::string(const ReceivedRequest&)> responder);

}  // namespace rtproxy::integration
