#include "output/json_writer.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cmath>

#include "output/utf8.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace rtproxy::output {

namespace {

// Bytes that cannot be copied verbatim into a JSON string: '"', '\\', C0 controls (RFC 8259
// §7) and anything non-ASCII, which must be checked for UTF-8 well-formedness first. A
// table, because this test runs for every byte of every header in every record.
constexpr auto needs_attention = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 256; ++c) table[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
    return table;
}();

// SWAR (bytes of a 64-bit word checked in parallel, "Bit Twiddling Hacks"): true when any
// byte of `word` is below 0x20, '"', '\\' or 0x80 and above. May only say true too often
// for a word that also holds such a byte, never false for one that does.
constexpr std::uint64_t ones = 0x0101010101010101ULL;
constexpr std::uint64_t highs = 0x8080808080808080ULL;

constexpr bool word_needs_attention(std::uint64_t word) {
    const auto has_zero = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
    const std::uint64_t below_space = (word - ones * 0x20) & ~word & highs;
    const std::uint64_t quote = has_zero(word ^ (ones * '"'));
    const std::uint64_t backslash = has_zero(word ^ (ones * '\\'));
    return ((word & highs) | below_space | quote | backslash) != 0;
}

std::uint64_t load_word(const unsigned char* at) {
    std::uint64_t word;
    std::memcpy(&word, at, sizeof word);
    return word;
}

// The common case, a string with nothing to escape, checked and copied a block at a time:
// 4 to 7 bytes as two overlapping 4-byte halves, 8 to 15 as two overlapping 8-byte halves,
// longer strings in 16-byte blocks, the last overlapping the one before. Most strings in a
// record (header names and values, methods, addresses) are that short, and a byte loop cost
// more than the rest of writing them. False, with unspecified bytes stored at `out`, when
// any byte needs escaping or a UTF-8 check; the caller then takes the careful path.
#if defined(__SSE2__)
// 16 bytes in one go: a signed compare catches both C0 controls and 0x80 and above
// (negative as signed bytes), two more catch '"' and '\\'. `lanes` masks off bytes past
// the data.
bool block_needs_attention(__m128i block, int lanes = 0xFFFF) {
    const __m128i special =
        _mm_or_si128(_mm_cmplt_epi8(block, _mm_set1_epi8(0x20)),
                     _mm_or_si128(_mm_cmpeq_epi8(block, _mm_set1_epi8('"')), _mm_cmpeq_epi8(block, _mm_set1_epi8('\\'))));
    return (_mm_movemask_epi8(special) & lanes) != 0;
}

bool copy_if_plain(const unsigned char* bytes, std::size_t size, char* out) {
    if (size >= 16) {
        std::size_t i = 0;
        for (; i + 16 < size; i += 16) {
            const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i));
            if (block_needs_attention(block)) return false;
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), block);
        }
        const __m128i last = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + size - 16));
        if (block_needs_attention(last)) return false;
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + size - 16), last);
        return true;
    }
    if (size >= 8) {
        const __m128i first = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(bytes));
        const __m128i last = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(bytes + size - 8));
        if (block_needs_attention(_mm_unpacklo_epi64(first, last))) return false;
        _mm_storel_epi64(reinterpret_cast<__m128i*>(out), first);
        _mm_storel_epi64(reinterpret_cast<__m128i*>(out + size - 8), last);
        return true;
    }
    if (size >= 4) {
        std::uint32_t first;
        std::uint32_t last;
        std::memcpy(&first, bytes, sizeof first);
        std::memcpy(&last, bytes + size - 4, sizeof last);
        const auto halves = static_cast<long long>(first | (std::uint64_t{last} << 32));
        if (block_needs_attention(_mm_cvtsi64_si128(halves), 0xFF)) return false;
        std::memcpy(out, &first, sizeof first);
        std::memcpy(out + size - 4, &last, sizeof last);
        return true;
    }
    for (std::size_t i = 0; i < size; ++i) {
        if (needs_attention[bytes[i]]) return false;
        out[i] = static_cast<char>(bytes[i]);
    }
    return true;
}
#else
bool copy_if_plain(const unsigned char* bytes, std::size_t size, char* out) {
    if (size >= 8) {
        std::size_t i = 0;
        for (; i + 8 < size; i += 8) {
            const auto word = load_word(bytes + i);
            if (word_needs_attention(word)) return false;
            std::memcpy(out + i, &word, sizeof word);
        }
        const auto last = load_word(bytes + size - 8);
        if (word_needs_attention(last)) return false;
        std::memcpy(out + size - 8, &last, sizeof last);
        return true;
    }
    for (std::size_t i = 0; i < size; ++i) {
        if (needs_attention[bytes[i]]) return false;
        out[i] = static_cast<char>(bytes[i]);
    }
    return true;
}
#endif

// Writes the escape for control character `c` at `at`; returns the end.
char* escape_control(char* at, unsigned char c) {
    char short_form = 0;
    switch (c) {
        case '\b': short_form = 'b'; break;
        case '\f': short_form = 'f'; break;
        case '\n': short_form = 'n'; break;
        case '\r': short_form = 'r'; break;
        case '\t': short_form = 't'; break;
        default: break;
    }
    *at++ = '\\';
    if (short_form != 0) {
        *at++ = short_form;
        return at;
    }
    constexpr char hex[] = "0123456789abcdef";
    *at++ = 'u';
    *at++ = '0';
    *at++ = '0';
    *at++ = hex[c >> 4];
    *at++ = hex[c & 0xF];
    return at;
}

// "00" to "99", for writing decimals two digits at a time.
constexpr auto two_digits = [] {
    std::array<std::array<char, 2>, 100> table{};
    for (int i = 0; i < 100; ++i) table[i] = {static_cast<char>('0' + i / 10), static_cast<char>('0' + i % 10)};
    return table;
}();

// The longest any one input byte can become: a control byte as \u00XX.
constexpr std::size_t max_escape = 6;

}  // namespace

JsonWriter::JsonWriter(std::string& out) : out_(out) {
    cursor_ = out_.data() + out_.size();
    limit_ = cursor_;
}

JsonWriter::JsonWriter(std::string& scratch, Scratch) : out_(scratch), scratch_(true) {
    cursor_ = out_.data();
    limit_ = cursor_ + out_.size();
}

void JsonWriter::grow(std::size_t n) {
    const auto used = offset();
    // Doubling keeps the zero-fill of resize() amortised; 4 KiB covers a typical record.
    out_.resize(std::max({out_.size() * 2, used + n, std::size_t{4096}}));
    cursor_ = out_.data() + used;
    limit_ = out_.data() + out_.size();
}

void JsonWriter::finish() {
    if (scratch_) return;
    out_.resize(offset());
    cursor_ = out_.data() + out_.size();
    limit_ = cursor_;
}

void JsonWriter::replace(std::size_t at, std::size_t length, std::string_view bytes) {
    assert(bytes.size() <= length && at + length <= offset());
    char* target = out_.data() + at;
    std::memcpy(target, bytes.data(), bytes.size());
    std::memmove(target + bytes.size(), target + length, offset() - at - length);
    cursor_ -= length - bytes.size();
}

bool JsonWriter::is_plain_code(std::string_view word) {
    return std::none_of(word.begin(), word.end(), [](char c) { return needs_attention[static_cast<unsigned char>(c)]; });
}

void JsonWriter::quoted(std::string_view text) {
    // Room for the worst case up front, so the loops below only store.
    cursor_ = quote_into(room(2 + text.size() * max_escape), text);
}

char* JsonWriter::quote_into(char* at, std::string_view text) {
    *at++ = '"';
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    at = copy_if_plain(bytes, text.size(), at) ? at + text.size() : escape(bytes, text.size(), at);
    *at++ = '"';
    return at;
}

void JsonWriter::name_value(std::string_view name, std::string_view value) {
    constexpr std::string_view open = "{\"name\":";
    constexpr std::string_view middle = ",\"value\":";
    char* at = room(open.size() + middle.size() + 6 + (name.size() + value.size()) * max_escape);
    if (need_comma_) *at++ = ',';
    need_comma_ = true;
    std::memcpy(at, open.data(), open.size());
    at = quote_into(at + open.size(), name);
    std::memcpy(at, middle.data(), middle.size());
    at = quote_into(at + middle.size(), value);
    *at++ = '}';
    cursor_ = at;
}

char* JsonWriter::escape(const unsigned char* bytes, std::size_t size, char* at) {
    const std::string_view text(reinterpret_cast<const char*>(bytes), size);
    std::size_t i = 0;
    while (i < size) {
        // Plain ASCII is copied eight bytes at a time while a whole word needs nothing, then
        // byte by byte.
        while (i + 8 <= size) {
            const auto word = load_word(bytes + i);
            if (word_needs_attention(word)) break;
            std::memcpy(at, &word, sizeof word);
            at += 8;
            i += 8;
        }
        while (i < size && !needs_attention[bytes[i]]) *at++ = static_cast<char>(bytes[i++]);
        if (i == size) break;
        const unsigned char c = bytes[i];
        if (c == '"' || c == '\\') {
            *at++ = '\\';
            *at++ = static_cast<char>(c);
            ++i;
        } else if (c < 0x20) {
            at = escape_control(at, c);
            ++i;
        } else if (auto n = utf8::sequence_length(text.substr(i)); n != 0) {
            std::memcpy(at, bytes + i, n);
            at += n;
            i += n;
        } else {
            std::memcpy(at, utf8::replacement_character.data(), utf8::replacement_character.size());
            at += utf8::replacement_character.size();
            lossy_ = true;
            ++i;
        }
    }
    return at;
}

JsonWriter& JsonWriter::text_key(std::string_view name) {
    if (need_comma_) put(',');
    quoted(name);
    put(':');
    need_comma_ = false;
    return *this;
}

void JsonWriter::string(std::string_view text) {
    separate();
    quoted(text);
}

void JsonWriter::string_or_null(const std::optional<std::string>& text) {
    if (text)
        string(*text);
    else
        null();
}

void JsonWriter::number(std::int64_t value) {
    separate();
    char* at = room(24);
    cursor_ = std::to_chars(at, at + 24, value).ptr;
}

void JsonWriter::number(std::uint64_t value) {
    separate();
    char* at = room(24);
    cursor_ = std::to_chars(at, at + 24, value).ptr;
}

void JsonWriter::real(double value) {
    if (!std::isfinite(value)) {
        null();
        return;
    }
    separate();
    // Fixed point with six decimals, trailing zeros trimmed: integer arithmetic, several
    // times cheaper than the shortest round-trip form, and the same text for the
    // microsecond-based values rtproxy measures. Beyond 2^53 millionths the scaled value
    // would not be exact, so large values take the general path.
    constexpr double scale = 1e6;
    if (std::fabs(value) < 9e9) {
        // Half away from zero like llround, without its library call. Adding the half can
        // itself round (just below a half, or past 2^52 millionths), so a value may come out
        // one millionth higher than llround's: a nanosecond, for milliseconds.
        const double scaled = value * scale;
        const auto millionths = static_cast<std::int64_t>(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
        const auto magnitude = static_cast<std::uint64_t>(millionths < 0 ? -millionths : millionths);
        char* at = room(32);
        if (millionths < 0) *at++ = '-';
        at = std::to_chars(at, at + 24, magnitude / 1'000'000).ptr;
        *at++ = '.';
        // All six digits two at a time from a table, then the trailing zeros dropped (one
        // always stays): a digit at a time was most of the cost of a real.
        const auto fraction = static_cast<unsigned>(magnitude % 1'000'000);
        std::memcpy(at, two_digits[fraction / 10'000].data(), 2);
        std::memcpy(at + 2, two_digits[fraction / 100 % 100].data(), 2);
        std::memcpy(at + 4, two_digits[fraction % 100].data(), 2);
        int digits = 6;
        while (digits > 1 && at[digits - 1] == '0') --digits;
        cursor_ = at + digits;
        return;
    }
    char* at = room(32);
    const auto end = std::to_chars(at, at + 32, value).ptr;
    const bool looks_integral = std::string_view(at, static_cast<std::size_t>(end - at)).find_first_of(".e") ==
                                std::string_view::npos;
    cursor_ = end;
    if (looks_integral) raw(".0");
}

void JsonWriter::real(const std::optional<double>& value) {
    if (value)
        real(*value);
    else
        null();
}

void JsonWriter::boolean(bool value) {
    separate();
    raw(value ? std::string_view("true") : std::string_view("false"));
}

void JsonWriter::null() {
    separate();
    raw("null");
}

void JsonWriter::raw(std::string_view bytes) {
    std::memcpy(room(bytes.size()), bytes.data(), bytes.size());
    cursor_ += bytes.size();
}

}  // namespace rtproxy::output
