// libFuzzer: ResponseHeadParser, response_framing (for GET, HEAD or CONNECT) and the body.
#include <cstddef>
#include <cstdint>

#include "head_parser_invariants.hpp"

using namespace rtproxy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    static constexpr std::string_view methods[] = {"GET", "HEAD", "CONNECT"};
    const auto method = methods[size % 3];
    fuzz::check_head_parser<http::ResponseHeadParser>(
        bytes, [](std::string& out, const http::ResponseHead& h) { http::append_response_head(out, h); },
        [](const http::ResponseHead& a, const http::ResponseHead& b) {
            return a.version == b.version && a.status == b.status && a.reason == b.reason && a.headers == b.headers;
        },
        [&](const http::ResponseHead& h) { return http::response_framing(h, method); });
    return 0;
}
