#include "demo/sample_request.hpp"

namespace rtproxy::demo {

namespace {

SampleRequest request(std::string method, std::string target, std::string shows) {
    SampleRequest sample;
    sample.method = std::move(method);
    sample.target = std::move(target);
    sample.shows = std::move(shows);
    return sample;
}

}  // namespace

std::vector<SampleRequest> sample_requests() {
    std::vector<SampleRequest> samples;
    samples.push_back(request("GET", "/", "a plain page"));

    // X-Forwarded-For from a client that is not a trusted proxy is a spoof: the record
    // shows rtproxy replacing it with the real client address (Caddy's default).
    SampleRequest users = request("GET", "/api/users", "custom and spoofed forwarding headers");
    users.headers = {{"Accept", "application/json"},
                     {"X-Demo-Trace", "rtproxy-demo-1"},
                     {"X-Forwarded-For", "203.0.113.66"}};
    samples.push_back(std::move(users));

    SampleRequest echo = request("POST", "/echo", "a request body relayed both ways");
    echo.body = R"({"name":"Katherine Johnson","role":"mathematician"})";
    echo.content_type = "application/json";
    echo.expected_body = echo.body;
    samples.push_back(std::move(echo));

    samples.push_back(request("GET", "/stream", "a chunked response"));
    samples.push_back(request("GET", "/slow", "a slow first byte"));

    // With 503 in retry_on_status this is retried and then given up: the record shows
    // every attempt and the upstream's last answer.
    SampleRequest unavailable = request("GET", "/status/503", "an upstream error answer, retried then given up");
    unavailable.expected_status = 503;
    samples.push_back(std::move(unavailable));

    samples.push_back(request("GET", "/flaky", "a retry that succeeds"));
    samples.push_back(request("HEAD", "/", "a response without a body"));

    // Interim responses go here. A POST /echo sent with `Expect: 100-continue` gets its
    // 100 from cpp-httplib itself (see demo_upstream.hpp); GET /early-hints (103, then
    // 200) waits for the raw-socket responder. cpp-httplib's client never shows a 1xx,
    // so those samples check the final answer; the record's `interim` shows the rest.
    return samples;
}

std::optional<std::string> send_sample(httplib::Client& client, const SampleRequest& sample) {
    httplib::Headers headers;
    for (const auto& [name, value] : sample.headers) headers.emplace(name, value);

    if (sample.method != "GET" && sample.method != "HEAD" && sample.method != "POST")
        return "the demo cannot send method " + sample.method;
    const httplib::Result result = [&] {
        if (sample.method == "GET") return client.Get(sample.target, headers);
        if (sample.method == "HEAD") return client.Head(sample.target, headers);
        return client.Post(sample.target, headers, sample.body, sample.content_type);
    }();

    if (!result) return "no response (" + httplib::to_string(result.error()) + ")";
    if (result->status != sample.expected_status)
        return "expected status " + std::to_string(sample.expected_status) + ", got " +
               std::to_string(result->status);
    if (sample.expected_body && result->body != *sample.expected_body)
        return "status " + std::to_string(result->status) + " as expected, but the body differs (" +
               std::to_string(result->body.size()) + " bytes, expected " +
               std::to_string(sample.expected_body->size()) + ")";
    return std::nullopt;
}

}  // namespace rtproxy::demo
