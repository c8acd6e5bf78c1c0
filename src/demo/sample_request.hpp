#pragma once
// The sample traffic `rtproxy --demo` sends through the proxy, and what each should get back.
#include <cstdint>
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
    // Sent by send_sample_over_socket: cpp-httplib's client takes a 103 for the final
    // answer, and it sends a body without waiting for the 100 it asked for.
    bool shows_interim = false;
};

// In the order they are sent, each one showing one feature in the record.
std::vector<SampleRequest> sample_requests();

// Sends one sample through `client`. Returns nothing when the answer was the expected
// one, otherwise a sentence saying what came back instead.
std::optional<std::string> send_sample(httplib::Client& client, const SampleRequest& sample);

// The same for a sample with 1xx on the way, on its own connection to host:port: waits
// (up to 1 s, like curl) for the 100 it asked for before sending the body, and skips
// every 1xx to check the final answer.
std::optional<std::string> send_sample_over_socket(const std::string& host, std::uint16_t port,
                                                   const SampleRequest& sample);

}  // namespace rtproxy::demo
