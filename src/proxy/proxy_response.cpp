#include "proxy/proxy_response.hpp"

#include "http/serialize.hpp"

namespace rtproxy::proxy {

std::string_view reason_phrase(int status) {
    switch (status) {
        case 400: return "Bad Request";
        case 408: return "Request Timeout";
        case 413: return "Content Too Large";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        case 504: return "Gateway Timeout";
        default: return "Error";
    }
}

ProxyResponse make_proxy_response(int status, std::string_view why) {
    ProxyResponse r;
    r.body = "rtproxy: ";
    r.body += why;
    r.body += '\n';
    r.head.version = "HTTP/1.1";
    r.head.status = status;
    r.head.reason = std::string(reason_phrase(status));
    r.head.headers.add("Content-Type", "text/plain; charset=utf-8");
    r.head.headers.add("Content-Length", std::to_string(r.body.size()));
    r.head.headers.add("Connection", "close");
    http::append_response_head(r.bytes, r.head);
    r.bytes += r.body;
    return r;
}

record::ResponseRecord response_record(const ProxyResponse& answer) {
    record::ResponseRecord response;
    response.status = answer.head.status;
    response.reason = answer.head.reason;
    response.version = answer.head.version;
    response.headers = answer.head.headers.list();
    response.body_bytes = answer.body.size();
    response.body_framing = http::BodyFraming::length;
    response.source = record::ResponseRecord::Source::proxy;
    return response;
}

}  // namespace rtproxy::proxy
