#include <catch2/catch.hpp>

#include <string>

#include "http/body_decoder.hpp"

using namespace rtproxy::http;

namespace {

struct Decoded {
    std::string payload;
    std::size_t consumed = 0;
    bool done = false;
    bool error = false;
    std::string reason;
};

// Feeds `input` in pieces of `piece` bytes, the way reads arrive: unconsumed bytes are
// kept and the next piece is appended to them.
Decoded decode(BodyDecoder& decoder, std::string_view input, std::size_t piece = std::string_view::npos) {
    Decoded out;
    std::size_t available = std::min(piece, input.size());
    for (int guard = 0; guard < 100000; ++guard) {
        auto step = decoder.decode(input.substr(out.consumed, available - out.consumed));
        if (step.error) {
            out.error = true;
            out.reason = decoder.error().reason;
            return out;
        }
        REQUIRE(step.consumed <= available - out.consumed);
        REQUIRE(step.data.size() <= step.consumed);
        if (!step.data.empty()) {
            // zero copy: the payload is a view into the input
            REQUIRE(step.data.data() >= input.data() + out.consumed);
            REQUIRE(step.data.data() + step.data.size() <= input.data() + out.consumed + step.consumed);
        }
        out.payload.append(step.data);
        out.consumed += step.consumed;
        if (decoder.done()) break;
        if (step.consumed == 0) {
            if (available == input.size()) break;
            available = std::min(input.size(), available + piece);
        }
    }
    out.done = decoder.done();
    return out;
}

Decoded decode(Framing framing, std::string_view input, std::size_t piece = std::string_view::npos) {
    BodyDecoder decoder(framing);
    return decode(decoder, input, piece);
}

const Framing chunked{BodyFraming::chunked, 0};

}  // namespace

TEST_CASE("a Content-Length body ends after exactly that many bytes; pipelined bytes stay") {
    auto d = decode({BodyFraming::length, 5}, "helloGET / HTTP/1.1\r\n");
    CHECK(d.done);
    CHECK(d.payload == "hello");
    CHECK(d.consumed == 5);
    auto bytewise = decode({BodyFraming::length, 5}, "helloGET", 1);
    CHECK(bytewise.done);
    CHECK(bytewise.payload == "hello");
}

TEST_CASE("a Content-Length body cut short needs more bytes and fails at EOF") {
    BodyDecoder decoder({BodyFraming::length, 10});
    auto d = decode(decoder, "abc");
    CHECK_FALSE(d.done);
    CHECK(decoder.payload_bytes() == 3);
    CHECK_FALSE(decoder.finish_at_eof());
}

TEST_CASE("no body and zero length are done before any byte") {
    CHECK(BodyDecoder({BodyFraming::none, 0}).done());
    CHECK(BodyDecoder({BodyFraming::length, 0}).done());
    BodyDecoder none({BodyFraming::none, 0});
    CHECK(none.decode("GET").consumed == 0);
}

TEST_CASE("a close-delimited body takes everything until EOF") {
    BodyDecoder decoder({BodyFraming::close, 0});
    auto d = decode(decoder, "all of it");
    CHECK(d.payload == "all of it");
    CHECK_FALSE(decoder.done());
    CHECK(decoder.finish_at_eof());
    CHECK(decoder.done());
}

TEST_CASE("chunked bodies decode, with extensions dropped and trailers kept") {
    const std::string body =
        "5;name=value;flag\r\nhello\r\n"
        "6;q=\"a \\\"quoted\\\"; value\"\r\n world\r\n"
        "A\r\n0123456789\r\n"
        "0\r\nExpires: never\r\nX-Checksum:  abc \r\n\r\n";
    for (std::size_t piece : {std::string_view::npos, std::size_t{1}, std::size_t{3}, std::size_t{7}}) {
        INFO("piece " << piece);
        BodyDecoder decoder(chunked);
        auto d = decode(decoder, body + "NEXT", piece);
        CHECK(d.done);
        CHECK(d.payload == "hello world0123456789");
        CHECK(d.consumed == body.size());
        CHECK(decoder.payload_bytes() == 21);
        CHECK(decoder.trailers() == Fields{{"Expires", "never"}, {"X-Checksum", "abc"}});
    }
}

TEST_CASE("a chunked body with upper-case hex and leading zeros in the last chunk") {
    auto d = decode(chunked, "1E\r\nall your base are belong to us\r\n000\r\n\r\n");
    CHECK(d.done);
    CHECK(d.payload.size() == 30);
}

TEST_CASE("one step returns one chunk and never more than is available") {
    BodyDecoder decoder(chunked);
    const std::string input = "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n";
    auto first = decoder.decode(input);
    CHECK(first.data == "abc");
    CHECK(first.consumed == 11);  // framing up to the next chunk's data is consumed with it
    auto second = decoder.decode(std::string_view(input).substr(first.consumed));
    CHECK(second.data == "def");
    CHECK(decoder.done());  // the last chunk followed in the same bytes
    CHECK(first.consumed + second.consumed == input.size());
}

TEST_CASE("malformed chunk framing is rejected") {
    for (auto bad : {"-5\r\nhello\r\n0\r\n\r\n", "+5\r\nhello\r\n0\r\n\r\n", "0x5\r\nhello\r\n0\r\n\r\n",
                     " 5\r\nhello\r\n0\r\n\r\n", "5 \r\nhello\r\n0\r\n\r\n", "\r\nhello\r\n0\r\n\r\n",
                     "5\nhello\r\n0\r\n\r\n", "5\r\r\nhello\r\n", "5\r\nhelloX\r\n", "5\r\nhello\rX",
                     "5;\r\nhello\r\n", "5;=x\r\nhello\r\n", "5;a=\r\nhello\r\n", "5;a=\"open\r\nhello\r\n",
                     "5;a b\r\nhello\r\n", "5 ;a\r\nhello\r\n", "5;a=\"\x01\"\r\nhello\r\n",
                     "10000000000000000\r\n", "g\r\n",
                     "0\r\nBad Trailer: x\r\n\r\n", "0\r\n folded\r\n\r\n", "0\r\nX: a\nY: b\r\n\r\n",
                     "0\r\nnocolon\r\n\r\n", "0\r\nX: \x01\r\n\r\n"}) {
        INFO(bad);
        auto d = decode(chunked, bad);
        CHECK(d.error);
        CHECK_FALSE(d.reason.empty());
    }
}

TEST_CASE("the largest chunk size that fits 64 bits is accepted") {
    BodyDecoder decoder(chunked);
    auto step = decoder.decode("ffffffffffffffff\r\nabc");
    CHECK_FALSE(step.error);
    CHECK(step.data == "abc");
}

TEST_CASE("a chunked body cut short is not done and fails at EOF") {
    BodyDecoder decoder(chunked);
    auto d = decode(decoder, "5\r\nhel");
    CHECK_FALSE(d.done);
    CHECK_FALSE(d.error);
    CHECK_FALSE(decoder.finish_at_eof());
}

TEST_CASE("trailers over the limits are refused with 431") {
    Limits limits;
    limits.max_trailer_bytes = 32;
    limits.max_fields = 2;
    SECTION("too many bytes") {
        BodyDecoder decoder(chunked, limits);
        auto d = decode(decoder, "0\r\nX: " + std::string(40, 'a') + "\r\n\r\n");
        REQUIRE(d.error);
        CHECK(decoder.error().status == 431);
        CHECK(decoder.error().kind == "too_large");
    }
    SECTION("too many bytes without a line end yet") {
        BodyDecoder decoder(chunked, limits);
        auto d = decode(decoder, "0\r\nX: " + std::string(40, 'a'));
        REQUIRE(d.error);
        CHECK(decoder.error().status == 431);
    }
    SECTION("too many fields") {
        BodyDecoder decoder(chunked, limits);
        auto d = decode(decoder, "0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");
        REQUIRE(d.error);
        CHECK(decoder.error().status == 431);
    }
}

TEST_CASE("a chunk size line longer than 4096 bytes is refused") {
    auto d = decode(chunked, "1;a=" + std::string(5000, 'x'));
    CHECK(d.error);
}
