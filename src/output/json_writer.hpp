#pragma once
// A minimal streaming JSON writer for the JSON-lines contract. Hand-written instead of
// building an nlohmann::json tree because it runs on the proxy threads for every request:
// it appends straight into one string (no per-field allocation), keeps field order by
// construction, and checks UTF-8 in the same pass that escapes (ROUND_TRIP.md "Stream rules").
//
// Speed matters here (a record is ~2 KB and rendering it was ~40% of the proxy's own
// instructions per request): the writer grows the string in large steps and then writes
// through a raw cursor, so a byte costs a store, not a capacity check and a terminator as
// std::string::push_back does. The string is cut back to what was written by finish() or
// the destructor; until then it holds unspecified bytes past the cursor.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace rtproxy::output {

class JsonWriter {
public:
    // Appends to whatever `out` already holds.
    explicit JsonWriter(std::string& out);
    // Writes over `scratch` from its start and never shrinks it: a buffer reused for every
    // record keeps its size, so growing it is not paid (in zero-fill) per record. The
    // written bytes are then [0, offset()).
    struct Scratch {};
    JsonWriter(std::string& scratch, Scratch);
    ~JsonWriter() { finish(); }
    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;

    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }

    // Names are our own ASCII literals, written without escaping; the length is known at
    // compile time, so writing one is a single small copy.
    template <std::size_t N>
    JsonWriter& key(const char (&name)[N]) {
        constexpr std::size_t length = N - 1;
        char* at = room(length + 4);
        if (need_comma_) *at++ = ',';
        *at++ = '"';
        std::memcpy(at, name, length);
        at += length;
        *at++ = '"';
        *at++ = ':';
        cursor_ = at;
        need_comma_ = false;
        return *this;
    }
    // A run of the caller's own JSON between two values, copied as one piece: names,
    // brackets and commas the caller spells out because it knows the record's structure,
    // e.g. `},"request":{"method":`. Plain ASCII, nothing to escape; a run that starts a new
    // member after a value starts with its ','. A run ending in ':', '[' or '{' is followed
    // by a value or member without a comma; after any other ending one is written.
    template <std::size_t N>
    JsonWriter& text(const char (&run)[N]) {
        constexpr std::size_t length = N - 1;
        static_assert(length > 0);
        char* at = room(length);
        std::memcpy(at, run, length);
        cursor_ = at + length;
        const char last = run[length - 1];
        need_comma_ = !(last == ':' || last == '[' || last == '{');
        return *this;
    }
    // A name that comes from data (e.g. a map key): escaped and checked like string().
    JsonWriter& text_key(std::string_view name);

    // Wire bytes: valid UTF-8 kept, each invalid byte becomes U+FFFD and lossy() turns true;
    // '"', '\\' and control characters are escaped, so the line never holds a raw newline.
    void string(std::string_view text);
    // {"name":<name>,"value":<value>}, the contract's form of a header field, with one check
    // for room instead of seven: a record holds a dozen or more of them.
    void name_value(std::string_view name, std::string_view value);
    // A word of rtproxy's own vocabulary (an enum's name such as "not_needed" or "length"):
    // plain ASCII by construction, so copied without the escaping checks of string().
    void code(std::string_view word) {
        assert(is_plain_code(word));
        char* at = room(word.size() + 3);
        if (need_comma_) *at++ = ',';
        need_comma_ = true;
        *at++ = '"';
        std::memcpy(at, word.data(), word.size());
        at += word.size();
        *at++ = '"';
        cursor_ = at;
    }
    void string_or_null(const std::optional<std::string>& text);
    void number(std::int64_t value);
    void number(std::uint64_t value);
    void number(int value) { number(static_cast<std::int64_t>(value)); }
    // Milliseconds and other measurements: a fraction or exponent is always written so a
    // reader sees a float; NaN/inf (never expected) become null. Values are rounded to six
    // decimals (a nanosecond, for milliseconds), which is the precision they are measured at.
    void real(double value);
    void real(const std::optional<double>& value);
    void boolean(bool value);
    void null();
    // Bytes copied as they are, e.g. the '\n' that ends a line.
    void raw(std::string_view bytes);

    // True once any string needed a replacement character.
    bool lossy() const { return lossy_; }
    // Where the next byte goes, as an offset into the string; for patching with replace().
    std::size_t offset() const { return static_cast<std::size_t>(cursor_ - out_.data()); }
    // Replaces `length` bytes already written at `at` with `bytes`, which is no longer.
    void replace(std::size_t at, std::size_t length, std::string_view bytes);

    // Cuts the string back to the bytes written (not for a Scratch writer). Writing may go
    // on afterwards.
    void finish();

private:
    // True when no byte of `word` would need escaping or a UTF-8 check (what code() takes).
    static bool is_plain_code(std::string_view word);
    // A cursor with room for at least `n` more bytes.
    char* room(std::size_t n) {
        if (static_cast<std::size_t>(limit_ - cursor_) < n) grow(n);
        return cursor_;
    }
    void grow(std::size_t n);
    void put(char c) { *room(1) = c; ++cursor_; }
    void separate() {
        if (need_comma_) put(',');
        need_comma_ = true;
    }
    void open(char bracket) {
        char* at = room(2);
        if (need_comma_) *at++ = ',';
        *at++ = bracket;
        cursor_ = at;
        need_comma_ = false;
    }
    void close(char bracket) {
        put(bracket);
        need_comma_ = true;
    }
    void quoted(std::string_view text);
    // `text` quoted and escaped at `at`, which has room for the worst case; returns the end.
    char* quote_into(char* at, std::string_view text);
    // The careful path of quoted(): escapes, UTF-8 checks; returns the new end. Kept out of
    // line so quoted(), called ~50 times per record, stays a leaf with a small frame.
    [[gnu::noinline, gnu::cold]] char* escape(const unsigned char* bytes, std::size_t size, char* at);

    std::string& out_;
    char* cursor_ = nullptr;
    char* limit_ = nullptr;
    bool need_comma_ = false;
    bool lossy_ = false;
    bool scratch_ = false;
};

}  // namespace rtproxy::output
