#pragma once
// The run several retry tests share: one request through rtproxy to an upstream whose first
// connection reads the whole request and then resets, and whose later connections answer.
// What the client got, the record, and what the upstream read on each connection come back
// for the test to judge (was it retried, was the body replayed byte for byte).
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/raw_client.hpp"
#include "harness/retry_scripts.hpp"

namespace rtproxy::integration {

struct ResetAfterReadRun {
    HttpResponse response;
    nlohmann::json record;
    std::vector<LoggedRequest> upstream_saw;
    std::size_t connections = 0;  // upstream connections accepted
};

// `request` is sent as is on one client connection; rtproxy runs with `args`; later upstream
// connections answer each request with `answer(request)`.
ResetAfterReadRun through_an_upstream_that_resets_after_reading(
    const std::string& request, std::vector<std::string> args,
    std::function<std::string(const ReceivedRequest&)> answer);

}  // namespace rtproxy::integration
