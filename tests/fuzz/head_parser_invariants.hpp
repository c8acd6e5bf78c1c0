#pragma once
// Invariants shared by the request and response head fuzzers.
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "http/body_decoder.hpp"
#include "http/parser.hpp"
#include "http/serialize.hpp"

namespace rtproxy::fuzz {

template <class Head>
bool same_result(const http::HeadParse<Head>& a, const http::HeadParse<Head>& b) {
    if (a.status != b.status) return false;
    if (a.status == http::ParseStatus::error)
        return a.error.status == b.error.status && a.error.kind == b.error.kind && a.error.reason == b.error.reason;
    if (a.status == http::ParseStatus::need_more) return true;
    return a.consumed == b.consumed && a.head.headers == b.head.headers;
}

// Decodes the body that follows a head; the decoder must stay inside its input.
inline void decode_body(std::string_view rest, const http::Framing& framing) {
    http::BodyDecoder decoder(framing);
    std::size_t used = 0;
    for (int guard = 0; guard < 1 << 16 && !decoder.done(); ++guard) {
        const auto input = rest.substr(used);
        auto step = decoder.decode(input);
        if (step.error) return;
        FUZZ_CHECK(step.consumed <= input.size());
        FUZZ_CHECK(step.data.size() <= step.consumed);
        FUZZ_CHECK(step.data.empty() ||
                   (step.data.data() >= input.data() && step.data.data() + step.data.size() <= input.data() + input.size()));
        used += step.consumed;
        if (step.consumed == 0) break;
    }
    decoder.finish_at_eof();
}

// Parses all at once, then split in two (incrementally), and checks they agree; a complete
// head must survive serialize -> parse with the same fields.
template <class Parser, class Serialize, class SameHead, class Framing>
void check_head_parser(std::string_view bytes, Serialize serialize, SameHead same_head, Framing framing) {
    Parser whole;
    const auto all_at_once = whole.parse(bytes);
    FUZZ_CHECK(all_at_once.consumed <= bytes.size());

    Parser incremental;
    const auto split = split_point(bytes);
    const auto first = incremental.parse(bytes.substr(0, split));
    if (first.status == http::ParseStatus::need_more) {
        FUZZ_CHECK(same_result(all_at_once, incremental.parse(bytes)));
    } else {
        // A prefix already decided: the whole input must decide the same way.
        FUZZ_CHECK(first.status == all_at_once.status);
        if (first.status == http::ParseStatus::complete) FUZZ_CHECK(first.consumed == all_at_once.consumed);
    }

    if (all_at_once.status != http::ParseStatus::complete) return;
    std::string wire;
    serialize(wire, all_at_once.head);
    Parser again;
    const auto reparsed = again.parse(wire);
    FUZZ_CHECK(reparsed.status == http::ParseStatus::complete);
    FUZZ_CHECK(reparsed.consumed == wire.size());
    FUZZ_CHECK(same_head(all_at_once.head, reparsed.head));

    const auto decision = framing(all_at_once.head);
    if (decision.ok) decode_body(bytes.substr(all_at_once.consumed), decision.framing);
}

}  // namespace rtproxy::fuzz
