// The retry options from the outside: bad values are refused before anything listens
// (exit 2, one line naming the option); good ones start a proxy that forwards as usual.
#include <algorithm>

#include "test_support.hpp"

using namespace rtproxy::integration;

TEST_CASE("a bad value for a retry option exits 2 with one line naming the option") {
    struct Bad {
        std::string option;
        std::string value;
    };
    const std::vector<Bad> cases = {
        {"--retry-backoff", "5"},          // a duration needs a unit
        {"--retry-backoff-max", "soon"},
        {"--try-duration", "5"},
        {"--retries", "many"},
        {"--buffer-body", "1XB"},
        {"--buffer-total", "lots"},
        {"--retry-on-status", "abc"},
        {"--retry-on-status", "503,abc"},
    };
    for (const auto& bad : cases) {
        DYNAMIC_SECTION(bad.option << " " << bad.value) {
            auto result = run_rtproxy({"--upstream", "127.0.0.1:1", bad.option, bad.value}, Millis{10000});
            INFO(result.describe());
            CHECK(result.exit_code == 2);
            CHECK(result.out.empty());
            CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
            CHECK(result.err.find(bad.option) != std::string::npos);
        }
    }
}

TEST_CASE("every retry option together starts a proxy that forwards a request once when nothing fails") {
    ScriptedUpstream upstream(respond_with(http_response(200, "ok")));
    ProxyProcess proxy(upstream.port(), {"--retries", "3", "--try-duration", "5s", "--retry-backoff", "50ms",
                                         "--retry-backoff-max", "1s", "--retry-jitter", "--retry-all-methods",
                                         "--retry-on-status", "502,503,504", "--buffer-body", "256KiB",
                                         "--buffer-total", "8MiB"});
    auto result = curl({"-w", "\n%{http_code}", url(proxy.port(), "/")});
    INFO(result.describe());
    CHECK(result.out == "ok\n200");

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    const auto attempts = at(record, "/attempts");
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0].at("retry").at("decision") == "not_needed");
    CHECK(attempts[0].at("retry").at("reason") == "upstream answered 200");
    CHECK(attempts[0].at("backoff_ms") == 0);
    CHECK(at(record, "/body_buffer/limit") == 256 * 1024);
    CHECK(upstream.connections_accepted() == 1);
}
