#pragma once
// Request bytes the retry tests send with a RawClient: bodies with each framing, and the
// extra fields (Idempotency-Key) that change whether a request may be sent again.
#include <string>

#include "harness/http_text.hpp"

namespace rtproxy::integration {

// `extra_fields`: whole field lines, each ending in CRLF.
inline std::string post_with_length(const std::string& target, const std::string& body,
                                    const std::string& extra_fields = {}) {
    return "POST " + target + " HTTP/1.1\r\nHost: example.test\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n" + extra_fields + "\r\n" + body;
}

inline std::string post_chunked(const std::string& target, const std::string& body, std::size_t chunk_size = 8192,
                                const std::string& extra_fields = {}) {
    return "POST " + target + " HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\n" + extra_fields +
           "\r\n" + chunked(body, chunk_size);
}

}  // namespace rtproxy::integration
