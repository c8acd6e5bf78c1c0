#pragma once
// Durations ("250ms", "1.5s", "2m") and sizes ("64KiB", "1MB", "512") as typed on the command
// line. Pure functions: no CLI11, no option names; the caller says which option was wrong.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cli/config.hpp"

namespace rtproxy::cli {

// A parsed value, or why the text is not one (a phrase that completes `"<text>" ...`,
// e.g. `has no unit: durations need ms, s or m (e.g. 250ms, 1.5s, 2m)`).
template <class T>
struct Parsed {
    std::optional<T> value;
    std::string problem;

    static Parsed ok(T v) { return Parsed{std::move(v), {}}; }
    static Parsed fail(std::string why) { return Parsed{std::nullopt, std::move(why)}; }
    explicit operator bool() const { return value.has_value(); }
};

// Integer or decimal with a required unit ms|s|m. A bare number is refused rather than
// guessed at: "--idle-timeout 60" would be 60 ms in one tool and 60 s in another.
// Fractions must come to whole milliseconds ("1.5s" yes, "0.5ms" no).
Parsed<Duration> parse_duration(std::string_view text);

// Integer or decimal with an optional unit B|KB|MB|GB (powers of 1000) or KiB|MiB|GiB
// (powers of 1024), case-insensitive; a bare number is bytes. Must come to whole bytes.
Parsed<std::uint64_t> parse_size(std::string_view text);

// A plain decimal integer in [min, max], no sign, no spaces.
Parsed<std::uint64_t> parse_count(std::string_view text, std::uint64_t min, std::uint64_t max);

// How a value is written back in --help and the man page ("3s", "100ms", "1MiB").
std::string format_duration(Duration d);
std::string format_size(std::uint64_t bytes);

}  // namespace rtproxy::cli
