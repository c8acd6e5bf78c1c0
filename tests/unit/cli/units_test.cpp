#include <catch2/catch.hpp>

#include "cli/units.hpp"

using namespace rtproxy::cli;
using rtproxy::Duration;

TEST_CASE("durations take ms, s or m, as integers or decimals") {
    CHECK(parse_duration("250ms").value == Duration{250});
    CHECK(parse_duration("3s").value == Duration{3000});
    CHECK(parse_duration("1.5s").value == Duration{1500});
    CHECK(parse_duration("2m").value == Duration{120000});
    CHECK(parse_duration("0.25m").value == Duration{15000});
    CHECK(parse_duration("0ms").value == Duration{0});
    CHECK(parse_duration("1.500s").value == Duration{1500});
}

TEST_CASE("a bare number is not a duration, and the problem says a unit is required") {
    const auto parsed = parse_duration("60");
    CHECK_FALSE(parsed);
    CHECK_THAT(parsed.problem, Catch::Contains("no unit") && Catch::Contains("ms, s or m"));
}

TEST_CASE("malformed durations are refused with a reason") {
    for (const char* bad : {"", "s", "-1s", "+1s", "1.s", ".5s", "1..5s", "1 s", "1h", "1S", "1sec", "1e3ms",
                            "0x10ms", "1.5", "s1"}) {
        INFO(bad);
        const auto parsed = parse_duration(bad);
        CHECK_FALSE(parsed);
        CHECK_FALSE(parsed.problem.empty());
    }
}

TEST_CASE("a duration finer than a millisecond is refused rather than rounded") {
    CHECK_FALSE(parse_duration("0.5ms"));
    CHECK_THAT(parse_duration("1.0005s").problem, Catch::Contains("whole number of milliseconds"));
    CHECK(parse_duration("1.001s").value == Duration{1001});
}

TEST_CASE("absurdly long durations are refused instead of overflowing") {
    CHECK_FALSE(parse_duration("99999999999999999999999ms"));
    CHECK_FALSE(parse_duration("600000m"));
    CHECK(parse_duration("525600m").value == Duration{525600ll * 60 * 1000});  // one year
}

TEST_CASE("sizes are bytes with an optional binary or decimal unit") {
    CHECK(parse_size("512").value == 512u);
    CHECK(parse_size("512B").value == 512u);
    CHECK(parse_size("64KiB").value == 64u * 1024);
    CHECK(parse_size("1MiB").value == 1024u * 1024);
    CHECK(parse_size("2GiB").value == 2ull * 1024 * 1024 * 1024);
    CHECK(parse_size("1KB").value == 1000u);
    CHECK(parse_size("3MB").value == 3000000u);
    CHECK(parse_size("1GB").value == 1000000000u);
    CHECK(parse_size("1.5MiB").value == 1536u * 1024);
    CHECK(parse_size("0").value == 0u);
}

TEST_CASE("size units are case-insensitive") {
    CHECK(parse_size("1mib").value == 1024u * 1024);
    CHECK(parse_size("1kb").value == 1000u);
}

TEST_CASE("malformed sizes are refused with a reason") {
    for (const char* bad : {"", "KiB", "-1", "1 KiB", "1K", "1KiBB", "1TiB", "0.5", "1.5B", "ten",
                            "99999999999999999999", "20000000000GiB"}) {
        INFO(bad);
        const auto parsed = parse_size(bad);
        CHECK_FALSE(parsed);
        CHECK_FALSE(parsed.problem.empty());
    }
}

TEST_CASE("counts are plain integers within their range") {
    CHECK(parse_count("1", 1, 256).value == 1u);
    CHECK(parse_count("256", 1, 256).value == 256u);
    CHECK_FALSE(parse_count("0", 1, 256));
    CHECK_FALSE(parse_count("257", 1, 256));
    CHECK_FALSE(parse_count("1.0", 1, 256));
    CHECK_FALSE(parse_count("-1", 0, 256));
    CHECK_FALSE(parse_count("4k", 0, 9999));
    CHECK_FALSE(parse_count("", 0, 9));
    CHECK_THAT(parse_count("300", 1, 256).problem, Catch::Equals("is not an integer from 1 to 256"));
}

TEST_CASE("durations and sizes are written back in their largest whole unit") {
    CHECK(format_duration(Duration{3000}) == "3s");
    CHECK(format_duration(Duration{100}) == "100ms");
    CHECK(format_duration(Duration{90000}) == "90s");
    CHECK(format_duration(Duration{60000}) == "60s");
    CHECK(format_duration(Duration{600000}) == "10m");
    CHECK(format_duration(Duration{0}) == "0ms");
    CHECK(format_size(64 * 1024) == "64KiB");
    CHECK(format_size(256ull * 1024 * 1024) == "256MiB");
    CHECK(format_size(1000) == "1000B");
    CHECK(format_size(0) == "0B");
}

TEST_CASE("what format_duration writes, parse_duration reads back") {
    for (long long ms : {0ll, 1ll, 999ll, 1000ll, 1500ll, 60000ll, 90000ll, 3600000ll}) {
        const auto text = format_duration(Duration{ms});
        INFO(text);
        CHECK(parse_duration(text).value == Duration{ms});
    }
}
