// `rtproxy --demo` shows interim responses too: its /early-hints sample gets a 103 that
// reaches the client, its /upload sample a 100 Continue (demo/interim_upstream.hpp).
#include <sstream>

#include "harness/schema_validation.hpp"
#include "test_support.hpp"

using namespace rtproxy::integration;

TEST_CASE("the demo's records show a relayed 103 Early Hints and a relayed 100 Continue") {
    auto run = run_rtproxy({"--demo", "--format", "json"}, Millis{60000});
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);

    std::vector<std::string> lines;
    std::istringstream in(run.out);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    auto validation = validate_json_lines(lines);
    INFO(validation.describe());
    CHECK(validation.exit_code == 0);

    std::optional<json> hints;
    std::optional<json> upload;
    for (const auto& line : lines) {
        auto event = json::parse(line, nullptr, false);
        if (event.is_discarded() || event.value("event", "") != "round_trip") continue;
        auto target = event.at("request").value("target", "");
        if (target == "/early-hints") hints = event;
        if (target == "/upload") upload = event;
    }
    REQUIRE(hints);
    INFO(show(*hints));
    auto hint_interim = at(*hints, "/interim");
    REQUIRE(hint_interim.size() == 1);
    CHECK(at(hint_interim[0], "/status") == 103);
    CHECK(at(hint_interim[0], "/forwarded") == true);
    CHECK(header_value(at(hint_interim[0], "/headers"), "Link") == "</style.css>; rel=preload; as=style");
    CHECK(at(*hints, "/response/status") == 200);

    REQUIRE(upload);
    INFO(show(*upload));
    auto upload_interim = at(*upload, "/interim");
    REQUIRE(upload_interim.size() == 1);
    CHECK(at(upload_interim[0], "/status") == 100);
    CHECK(at(upload_interim[0], "/forwarded") == true);
    CHECK(header_value(at(*upload, "/upstream_request/headers"), "Expect") == "100-continue");
    CHECK(at(*upload, "/response/status") == 200);
    CHECK(at(*upload, "/errors").empty());  // the 100 came in time: no expect-timeout entry
}
