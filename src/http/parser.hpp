#pragma once
// Strict, incremental HTTP/1.1 head parser (RFC 9112). No I/O: the caller appends bytes
// to one buffer and calls parse() with the whole buffer again; the parser remembers how
// far it already looked, so a head that trickles in byte by byte costs O(n), not O(n^2).
#include <cstddef>
#include <string_view>

#include "http/message.hpp"
#include "http/parse_error.hpp"

namespace rtproxy::http {

enum class ParseStatus { need_more, complete, error };

template <class Head>
struct HeadParse {
    ParseStatus status = ParseStatus::need_more;
    std::size_t consumed = 0;  // bytes of the head, final CRLF included (when complete)
    Head head;                 // valid when complete
    ParseError error;          // valid when error
};

// Parses "method SP target SP HTTP/1.x CRLF *(field CRLF) CRLF".
// Rejects: versions other than HTTP/1.0 and HTTP/1.1, obs-fold, whitespace before the
// colon, bare CR or LF, NUL/CTL in names or values, lines without a colon, a HTTP/1.1
// request with zero or several Host fields (RFC 9112 §3.2), heads over the limits (431).
class RequestHeadParser {
public:
    explicit RequestHeadParser(Limits limits = {}) : limits_(limits) {}
    HeadParse<RequestHead> parse(std::string_view buffer);
    void reset() { scanned_ = 0; }

private:
    Limits limits_;
    std::size_t scanned_ = 0;
    RequestHead pending_;  // the lines validated so far, while the head is incomplete
};

// Parses "HTTP/1.x SP 3DIGIT SP reason CRLF *(field CRLF) CRLF". 1xx heads are returned
// like any other: the caller decides (interim responses are followed by another head).
class ResponseHeadParser {
public:
    explicit ResponseHeadParser(Limits limits = {}) : limits_(limits) {}
    HeadParse<ResponseHead> parse(std::string_view buffer);
    void reset() { scanned_ = 0; }

private:
    Limits limits_;
    std::size_t scanned_ = 0;
    ResponseHead pending_;  // the lines validated so far, while the head is incomplete
};

// RFC 9112 §6.1-6.3 for requests: Content-Length and Transfer-Encoding together,
// differing or malformed Content-Length values, and Transfer-Encoding other than a final
// `chunked` are errors (400). No body fields: BodyFraming::none.
struct FramingDecision {
    bool ok = true;
    Framing framing;
    ParseError error;
};
FramingDecision request_framing(const RequestHead& head);

// RFC 9112 §6.3 for responses: HEAD requests and 1xx/204/304 have no body; a 2xx to
// CONNECT neither; chunked; Content-Length; otherwise read until close.
FramingDecision response_framing(const ResponseHead& head, std::string_view request_method);

}  // namespace rtproxy::http
