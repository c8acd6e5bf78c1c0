#pragma once
// A minimal streaming JSON writer for the JSON-lines contract. Hand-written instead of
// building an nlohmann::json tree because it runs on the proxy threads for every request:
// it appends straight into one string (no per-field allocation), keeps field order by
// construction, and checks UTF-8 in the same pass that escapes (ROUND_TRIP.md "Stream rules").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rtproxy::output {

class JsonWriter {
public:
    explicit JsonWriter(std::string& out) : out_(out) {}

    void begin_object();
    void end_object();
    void begin_array();
    void end_array();
    // Names are our own ASCII literals, written without escaping.
    JsonWriter& key(std::string_view name);
    // A name that comes from data (e.g. a map key): escaped and checked like string().
    JsonWriter& text_key(std::string_view name);

    // Wire bytes: valid UTF-8 kept, each invalid byte becomes U+FFFD and lossy() turns true;
    // '"', '\\' and control characters are escaped, so the line never holds a raw newline.
    void string(std::string_view text);
    void string_or_null(const std::optional<std::string>& text);
    void number(std::int64_t value);
    void number(std::uint64_t value);
    void number(int value) { number(static_cast<std::int64_t>(value)); }
    // Milliseconds and other measurements: shortest round-trip form, always with a
    // fraction or exponent so a reader sees a float; NaN/inf (never expected) become null.
    void real(double value);
    void real(const std::optional<double>& value);
    void boolean(bool value);
    void null();

    // True once any string needed a replacement character.
    bool lossy() const { return lossy_; }

private:
    void separate();

    std::string& out_;
    bool need_comma_ = false;
    bool lossy_ = false;
};

// Appends `text` as a JSON string literal; returns false when an invalid byte was replaced.
bool append_json_string(std::string& out, std::string_view text);

}  // namespace rtproxy::output
