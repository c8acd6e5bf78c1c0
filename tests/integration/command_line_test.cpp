// The process from the outside: option errors, version, how it ends, where its lines go.
#include <signal.h>

#include <algorithm>
#include <sstream>

#include "harness/schema_validation.hpp"
#include "test_support.hpp"

using namespace rtproxy::integration;

namespace {

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

}  // namespace

TEST_CASE("a bad option exits 2 with one line on stderr naming the option and nothing on stdout") {
    struct Bad {
        std::vector<std::string> args;
        std::string option;
    };
    const std::vector<Bad> cases = {
        {{"--upstream", "ftp://x"}, "--upstream"},
        {{"--upstream", "127.0.0.1:1", "--threads", "0x"}, "--threads"},
        {{"--upstream", "127.0.0.1:1", "--listen", "nope"}, "--listen"},
        {{"--upstream", "127.0.0.1:1", "--no-such-option"}, "--no-such-option"},
    };
    for (const auto& bad : cases) {
        DYNAMIC_SECTION(bad.args.back()) {
            auto result = run_rtproxy(bad.args, Millis{10000});
            INFO(result.describe());
            CHECK(result.exit_code == 2);
            CHECK(result.out.empty());
            CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
            CHECK(!result.err.empty());
            CHECK(result.err.back() == '\n');
            CHECK(result.err.find(bad.option) != std::string::npos);
        }
    }
}

TEST_CASE("rtproxy --version prints the version and exits 0") {
    auto result = run_rtproxy({"--version"}, Millis{10000});
    INFO(result.describe());
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("0.") != std::string::npos);
    CHECK(result.err.empty());
}

TEST_CASE("with --max-rounds 2, rtproxy exits 0 by itself after two round trips") {
    ScriptedUpstream upstream(respond_with(http_response(200, "ok")));
    ProxyProcess proxy(upstream.port(), {"--max-rounds", "2"});
    RawClient client(proxy.port());
    client.send(get("/1"));
    CHECK(client.read_response().status == 200);
    client.send(get("/2"));
    CHECK(client.read_response().status == 200);
    auto code = proxy.wait_for_exit(Millis{10000});
    REQUIRE(code);  // it exited without being asked
    CHECK(*code == 0);
    auto result = proxy.stop();
    INFO(result.stderr_text);
    REQUIRE(result.shutdown.is_object());
    CHECK(result.shutdown.at("rounds") == 2);
    CHECK(proxy.round_trips().size() == 2);
}

TEST_CASE("SIGTERM ends rtproxy with a shutdown event naming the signal and exit code 0") {
    ScriptedUpstream upstream(respond_with(http_response(200, "ok")));
    ProxyProcess proxy(upstream.port());
    RawClient client(proxy.port());
    client.send(get("/"));
    CHECK(client.read_response().status == 200);
    proxy.wait_for_round_trips(1);
    auto result = proxy.stop();  // sends SIGTERM
    CHECK(result.exit_code == 0);
    REQUIRE(result.shutdown.is_object());
    INFO(show(result.shutdown));
    CHECK(result.shutdown.at("reason").get<std::string>().find("SIGTERM") != std::string::npos);
    CHECK(result.shutdown.at("rounds") == 1);
    CHECK(result.shutdown.at("dropped") == 0);
}

TEST_CASE("with -q --log-file F, rtproxy writes nothing on stdout and every event to F") {
    ScriptedUpstream upstream(respond_with(http_response(200, "ok")));
    TempDir dir;
    auto log = dir.file("events.jsonl");
    ProxyOptions options;
    options.upstream_port = upstream.port();
    options.args = {"-q", "--log-file", log.string()};
    options.events_file = log;
    ProxyProcess proxy(options);
    RawClient client(proxy.port());
    client.send(get("/1"));
    CHECK(client.read_response().status == 200);
    client.send(get("/2"));
    CHECK(client.read_response().status == 200);
    proxy.wait_for_round_trips(2);
    auto result = proxy.stop();  // also validates the file's lines against the schema
    CHECK(result.stdout_text.empty());
    CHECK(result.exit_code == 0);

    auto lines = split_lines(read_file(log));
    REQUIRE(lines.size() == 4);
    CHECK(json::parse(lines.front()).at("event") == "listening");
    CHECK(json::parse(lines[1]).at("event") == "round_trip");
    CHECK(json::parse(lines[2]).at("event") == "round_trip");
    CHECK(json::parse(lines.back()).at("event") == "shutdown");
}

TEST_CASE("rtproxy --demo runs its sample traffic, exits 0, and its JSON lines are valid") {
    auto result = run_rtproxy({"--demo", "--listen", "127.0.0.1:0", "--format", "json"}, Millis{40000});
    INFO(result.describe());
    CHECK(result.exit_code == 0);
    auto lines = split_lines(result.out);
    REQUIRE(lines.size() >= 3);
    CHECK(json::parse(lines.front()).at("event") == "listening");
    CHECK(json::parse(lines.back()).at("event") == "shutdown");
    auto round_trips = std::count_if(lines.begin(), lines.end(), [](const std::string& line) {
        return json::parse(line, nullptr, false).value("event", "") == "round_trip";
    });
    CHECK(round_trips >= 1);
    auto validation = validate_json_lines(lines);
    INFO(validation.describe());
    CHECK(validation.exit_code == 0);
}

TEST_CASE("by default (--format auto) stdout is the coloured terminal view on a terminal and JSON lines in a pipe") {
    auto piped = run_rtproxy({"--demo", "--listen", "127.0.0.1:0"}, Millis{40000});
    INFO(piped.describe());
    CHECK(piped.exit_code == 0);
    auto lines = split_lines(piped.out);
    REQUIRE(!lines.empty());
    CHECK(json::parse(lines.front()).at("event") == "listening");
    CHECK(piped.out.find('\x1b') == std::string::npos);

    // `script` (util-linux's bsdutils, essential in Debian) gives the command a pseudo-terminal
    // as stdout and copies what it printed to ours; -e passes its exit code on.
    auto terminal = run_command(
        {"script", "-qec", std::string(rtproxy_binary()) + " --demo --listen 127.0.0.1:0", "/dev/null"}, Millis{40000});
    INFO(terminal.describe());
    CHECK(terminal.exit_code == 0);
    CHECK(terminal.out.find("{\"event\"") == std::string::npos);
    CHECK(terminal.out.find("listening on") != std::string::npos);
    CHECK(terminal.out.find("\x1b[") != std::string::npos);  // ANSI colour
}
