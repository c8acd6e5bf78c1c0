#pragma once
// Answers rtproxy makes itself (400, 431, 502, 504): small, plain text, saying why, and
// always closing the connection since the request's framing may be unknown.
#include <string>
#include <string_view>

#include "http/message.hpp"
#include "record/round_trip_record.hpp"

namespace rtproxy::proxy {

struct ProxyResponse {
    http::ResponseHead head;
    std::string body;
    std::string bytes;  // head + body, ready to write
};

ProxyResponse make_proxy_response(int status, std::string_view why);
// How such an answer appears in the record (`source: "proxy"`).
record::ResponseRecord response_record(const ProxyResponse& answer);
std::string_view reason_phrase(int status);

}  // namespace rtproxy::proxy
