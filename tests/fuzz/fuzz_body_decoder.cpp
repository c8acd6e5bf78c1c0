// libFuzzer: BodyDecoder. The first byte picks the framing (and a Content-Length); the
// rest is the body. Decoding in one piece and in two pieces must give the same payload,
// the same end and the same trailers, and never step outside the input.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "http/body_decoder.hpp"

using namespace rtproxy;

namespace {

struct Result {
    std::string payload;
    std::size_t consumed = 0;
    bool done = false;
    bool error = false;
    http::Fields trailers;
};

// Feeds bytes[0, split) and then, with whatever was not consumed, the rest.
Result decode(http::Framing framing, std::string_view bytes, std::size_t split) {
    Result r;
    http::BodyDecoder decoder(framing);
    std::size_t available = split;
    for (int guard = 0; guard < 1 << 16; ++guard) {
        const auto input = bytes.substr(r.consumed, available - r.consumed);
        const auto step = decoder.decode(input);
        if (step.error) {
            r.error = true;
            break;
        }
        FUZZ_CHECK(step.consumed <= input.size());
        FUZZ_CHECK(step.data.size() <= step.consumed);
        FUZZ_CHECK(step.data.empty() ||
                   (step.data.data() >= input.data() && step.data.data() + step.data.size() <= input.data() + input.size()));
        r.payload.append(step.data);
        r.consumed += step.consumed;
        if (decoder.done()) break;
        if (step.consumed == 0) {
            if (available == bytes.size()) break;
            available = bytes.size();
        }
    }
    // On error the step's data is dropped, so only a healthy decoder's count must match.
    FUZZ_CHECK(r.error || decoder.payload_bytes() == r.payload.size());
    r.done = decoder.done();
    r.trailers = decoder.trailers();
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    http::Framing framing;
    switch (data[0] % 3) {
        case 0: framing = {http::BodyFraming::chunked, 0}; break;
        case 1: framing = {http::BodyFraming::length, data[0] / 3u}; break;
        default: framing = {http::BodyFraming::close, 0}; break;
    }
    const auto whole = decode(framing, bytes, bytes.size());
    const auto split = decode(framing, bytes, fuzz::split_point(bytes));
    FUZZ_CHECK(whole.error == split.error);
    if (!whole.error) {
        FUZZ_CHECK(whole.payload == split.payload);
        FUZZ_CHECK(whole.consumed == split.consumed);
        FUZZ_CHECK(whole.done == split.done);
        FUZZ_CHECK(whole.trailers == split.trailers);
    }
    return 0;
}
