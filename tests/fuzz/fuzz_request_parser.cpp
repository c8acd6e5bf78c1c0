// libFuzzer: RequestHeadParser, request_framing and the body that follows.
#include <cstddef>
#include <cstdint>

#include "head_parser_invariants.hpp"

using namespace rtproxy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    fuzz::check_head_parser<http::RequestHeadParser>(
        bytes, [](std::string& out, const http::RequestHead& h) { http::append_request_head(out, h); },
        [](const http::RequestHead& a, const http::RequestHead& b) {
            return a.method == b.method && a.target == b.target && a.version == b.version && a.headers == b.headers;
        },
        [](const http::RequestHead& h) { return http::request_framing(h); });
    return 0;
}
