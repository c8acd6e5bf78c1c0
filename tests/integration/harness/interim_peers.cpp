#include "harness/interim_peers.hpp"

#include <cstdio>

#include "harness/upstream_connection.hpp"

namespace rtproxy::integration {

std::string interim_head(int status, std::string_view reason, const FieldList& fields) {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
    for (const auto& [name, value] : fields) out += name + ": " + value + "\r\n";
    return out + "\r\n";
}

std::size_t count_occurrences(std::string_view haystack, std::string_view needle) {
    std::size_t count = 0;
    for (auto at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + needle.size()))
        ++count;
    return count;
}

std::string body_summary(std::string_view body) {
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(body)));
    return "bytes=" + std::to_string(body.size()) + " fnv=" + hash;
}

Script measure_upload(ContinuePolicy policy, Millis body_timeout) {
    return [policy, body_timeout](UpstreamConnection& connection) {
        auto head = parse_head(connection.read_head());
        auto expect = head.field("Expect");
        if (policy == ContinuePolicy::send_continue && expect && iequals(*expect, "100-continue"))
            connection.write(interim_head(100, "Continue"));
        std::string body;
        auto te = head.field("Transfer-Encoding");
        if (te && icontains(*te, "chunked"))
            body = connection.read_chunked_body(body_timeout).body;
        else if (auto length = head.field("Content-Length"))
            body = connection.read_exact(std::stoull(*length), body_timeout);
        connection.write(http_response(200, body_summary(body), {{"Connection", "close"}}));
    };
}

TunnelClient::TunnelClient(std::uint16_t port) : socket_(Socket::connect_to_loopback(port)), reader_(socket_) {}

}  // namespace rtproxy::integration
