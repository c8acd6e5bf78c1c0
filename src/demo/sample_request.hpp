#pragma once
// The sample traffic `rtproxy --demo` sends through the proxy, and what each should get back.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "demo/cpp_httplib.hpp"

namespace rtproxy::demo {

struct SampleRequest {
    std::string method;  // "GET" | "HEAD" | "POST"
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string content_type;  // for a body
    int expected_status = 200;
    std::optional<std::string> expected_body;  // checked when set
    std::string shows;                         // what this sample demonstrates, for a failure message
};

// In the order they are sent, each one showing one feature in the record.
std::vector<SampleRequest> sample_requests();

// Sends one sample through `client`. Returns nothing when the answer was the expected
// one, otherwise a sentence saying what came back instead.
std::optional<std::string> send_sample(httplib::Client& client, const SampleRequest& sample);

}  // namespace rtproxy::demo
