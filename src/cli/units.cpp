#include "cli/units.hpp"

#include <array>
#include <cctype>
#include <limits>
#include <utility>

namespace rtproxy::cli {
namespace {

constexpr std::uint64_t max_u64 = std::numeric_limits<std::uint64_t>::max();

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string lowercase(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// "12.50" split into its digits, kept exact so that "1.5s" is 1500 ms without floating point.
struct Decimal {
    std::string_view whole;
    std::string_view fraction;
};

// Splits `text` into a decimal number and the unit that follows it; nullopt when there is no
// number at the start or the number is malformed ("1.", ".5" and "1..2" are refused).
std::optional<std::pair<Decimal, std::string_view>> split_number(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i == 0) return std::nullopt;
    Decimal number{text.substr(0, i), {}};
    if (i < text.size() && text[i] == '.') {
        const std::size_t start = ++i;
        while (i < text.size() && is_digit(text[i])) ++i;
        if (i == start) return std::nullopt;
        number.fraction = text.substr(start, i - start);
    }
    return std::pair{number, text.substr(i)};
}

// number * factor, or nullopt when it overflows or does not come to a whole number.
std::optional<std::uint64_t> scale(const Decimal& number, std::uint64_t factor) {
    std::uint64_t whole = 0;
    for (char c : number.whole) {
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (whole > (max_u64 - digit) / 10) return std::nullopt;
        whole = whole * 10 + digit;
    }
    if (factor != 0 && whole > max_u64 / factor) return std::nullopt;
    std::uint64_t result = whole * factor;

    // The fraction times the factor must be an integer: fraction * factor / 10^digits.
    // Factors are at most 2^30 and fractions are capped at 9 digits.
    std::string_view fraction = number.fraction;
    while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
    if (fraction.empty()) return result;
    if (fraction.size() > 9) return std::nullopt;
    std::uint64_t numerator = 0;
    std::uint64_t denominator = 1;
    for (char c : fraction) {
        numerator = numerator * 10 + static_cast<std::uint64_t>(c - '0');
        denominator *= 10;
    }
    const std::uint64_t scaled = numerator * factor;  // < 10^9 * 2^30 < 2^64
    if (scaled % denominator != 0) return std::nullopt;
    const std::uint64_t extra = scaled / denominator;
    if (result > max_u64 - extra) return std::nullopt;
    return result + extra;
}

}  // namespace

Parsed<Duration> parse_duration(std::string_view text) {
    using Result = Parsed<Duration>;
    constexpr const char* units = "durations need a unit: ms, s or m (e.g. 250ms, 1.5s, 2m)";
    const auto split = split_number(text);
    if (!split) return Result::fail(std::string("is not a duration; ") + units);
    const auto& [number, unit] = *split;
    if (unit.empty()) return Result::fail(std::string("has no unit; ") + units);

    std::uint64_t factor = 0;
    if (unit == "ms")
        factor = 1;
    else if (unit == "s")
        factor = 1000;
    else if (unit == "m")
        factor = 60 * 1000;
    else
        return Result::fail(std::string("has an unknown unit; ") + units);

    const auto millis = scale(number, factor);
    if (!millis) {
        if (number.fraction.empty()) return Result::fail("is too large");
        return Result::fail("is not a whole number of milliseconds");
    }
    // A duration anywhere near this is a typo; it also keeps Duration::rep far from overflow
    // when the proxy adds durations to time points.
    constexpr std::uint64_t one_year = 365ull * 24 * 60 * 60 * 1000;
    if (*millis > one_year) return Result::fail("is too large (at most a year)");
    return Result::ok(Duration{static_cast<Duration::rep>(*millis)});
}

Parsed<std::uint64_t> parse_size(std::string_view text) {
    using Result = Parsed<std::uint64_t>;
    constexpr const char* units = "sizes are a number of bytes with an optional unit B, KiB, MiB, GiB, KB, MB or GB";
    const auto split = split_number(text);
    if (!split) return Result::fail(std::string("is not a size; ") + units);
    const auto& [number, unit_text] = *split;

    struct Unit {
        std::string_view name;
        std::uint64_t factor;
    };
    static constexpr std::array<Unit, 8> table{{
        {"", 1},
        {"b", 1},
        {"kib", 1ull << 10},
        {"mib", 1ull << 20},
        {"gib", 1ull << 30},
        {"kb", 1000},
        {"mb", 1000 * 1000},
        {"gb", 1000 * 1000 * 1000},
    }};
    const std::string unit = lowercase(unit_text);
    for (const Unit& candidate : table) {
        if (candidate.name != unit) continue;
        const auto bytes = scale(number, candidate.factor);
        if (!bytes) {
            if (number.fraction.empty()) return Result::fail("is too large");
            return Result::fail("is not a whole number of bytes");
        }
        return Result::ok(*bytes);
    }
    return Result::fail(std::string("has an unknown unit; ") + units);
}

Parsed<std::uint64_t> parse_count(std::string_view text, std::uint64_t min, std::uint64_t max) {
    using Result = Parsed<std::uint64_t>;
    const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    const auto split = split_number(text);
    if (!split || !split->second.empty() || !split->first.fraction.empty())
        return Result::fail("is not " + range);
    const auto value = scale(split->first, 1);
    if (!value || *value < min || *value > max) return Result::fail("is not " + range);
    return Result::ok(*value);
}

std::string format_duration(Duration d) {
    const auto ms = d.count();
    // Minutes only once they read better than seconds: "60s" and "90s", but "10m".
    if (ms >= 600000 && ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
    if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

std::string format_size(std::uint64_t bytes) {
    static constexpr std::array<std::pair<std::uint64_t, const char*>, 3> units{{
        {1ull << 30, "GiB"},
        {1ull << 20, "MiB"},
        {1ull << 10, "KiB"},
    }};
    for (const auto& [factor, name] : units)
        if (bytes != 0 && bytes % factor == 0) return std::to_string(bytes / factor) + name;
    return std::to_string(bytes) + "B";
}

}  // namespace rtproxy::cli
