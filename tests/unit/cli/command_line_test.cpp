#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/command_line.hpp"

using namespace rtproxy;
using namespace std::chrono_literals;

namespace {

struct Run {
    cli::CommandLine result;
    std::string out;
    std::string err;
};

Run run(std::vector<std::string> args) {
    args.insert(args.begin(), "rtproxy");
    std::vector<const char*> argv;
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    std::ostringstream out;
    std::ostringstream err;
    auto result = cli::parse_command_line(static_cast<int>(argv.size()), argv.data(), out, err);
    return Run{std::move(result), out.str(), err.str()};
}

// Parses `args` after "--upstream 127.0.0.1:9000" and expects a Config.
Config config_of(std::vector<std::string> args) {
    args.insert(args.begin(), {"--upstream", "127.0.0.1:9000"});
    const Run r = run(args);
    INFO(r.err);
    REQUIRE(r.result.config);
    CHECK(r.result.exit_code == 0);
    CHECK(r.out.empty());
    CHECK(r.err.empty());
    return *r.result.config;
}

// Expects exit 2 with exactly one line on err, starting "rtproxy: " and containing every
// piece of `mentions` (the option, the value...).
void expect_option_error(std::vector<std::string> args, const std::vector<std::string>& mentions) {
    const Run r = run(args);
    INFO(r.err);
    CHECK_FALSE(r.result.config);
    CHECK(r.result.exit_code == 2);
    CHECK(r.out.empty());
    REQUIRE_FALSE(r.err.empty());
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(r.err.back() == '\n');
    CHECK(r.err.rfind("rtproxy: ", 0) == 0);
    for (const std::string& piece : mentions) CHECK_THAT(r.err, Catch::Contains(piece));
}

}  // namespace

TEST_CASE("with only --upstream every setting is config.hpp's default") {
    const Config c = config_of({});
    const Config defaults;
    CHECK(c.upstream.scheme == "http");
    CHECK(c.upstream.host == "127.0.0.1");
    CHECK(c.upstream.port == 9000);
    REQUIRE(c.listen.size() == 1);
    CHECK(c.listen[0].host == "127.0.0.1");
    CHECK(c.listen[0].port == 8080);
    CHECK_FALSE(c.demo);
    CHECK(c.format == OutputFormat::auto_detect);
    CHECK(c.log_file.empty());
    CHECK_FALSE(c.quiet);
    CHECK_FALSE(c.max_rounds);
    CHECK(c.trusted_proxies.empty());
    CHECK(c.max_head_bytes == defaults.max_head_bytes);
    CHECK(c.max_header_fields == defaults.max_header_fields);
    CHECK(c.connect_timeout == 3s);
    CHECK_FALSE(c.response_header_timeout);
    CHECK(c.idle_timeout == 60s);
    CHECK(c.upstream_idle_timeout == 90s);
    CHECK(c.read_header_timeout == 10s);
    CHECK(c.expect_timeout == 1s);
    CHECK(c.retries == 0);
    CHECK_FALSE(c.try_duration);
    CHECK(c.retry_backoff == 100ms);
    CHECK(c.retry_backoff_max == 2s);
    CHECK_FALSE(c.retry_jitter);
    CHECK_FALSE(c.retry_all_methods);
    CHECK(c.retry_on_status.empty());
    CHECK(c.buffer_body == 1024u * 1024);
    CHECK(c.buffer_total == 256ull * 1024 * 1024);
}

TEST_CASE("threads default to one per core, never zero") {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    CHECK(config_of({}).threads == cores);
    CHECK(config_of({"--threads", "1"}).threads == 1);
    CHECK(config_of({"--threads", "256"}).threads == 256);
}

TEST_CASE("every option's value lands in the Config") {
    const Config c = config_of({"--listen",
                                "0.0.0.0:8081",
                                "--listen",
                                "[::1]:0",
                                "--format",
                                "json",
                                "--log-file",
                                "/tmp/rtproxy.jsonl",
                                "-q",
                                "--threads",
                                "4",
                                "--trusted-proxies",
                                "10.0.0.0/8,::1",
                                "--trusted-proxies",
                                "192.168.1.7",
                                "--max-rounds",
                                "5",
                                "--connect-timeout",
                                "250ms",
                                "--response-header-timeout",
                                "30s",
                                "--idle-timeout",
                                "2m",
                                "--upstream-idle-timeout",
                                "1.5s",
                                "--read-header-timeout",
                                "5s",
                                "--expect-timeout",
                                "500ms",
                                "--retries",
                                "3",
                                "--try-duration",
                                "10s",
                                "--retry-backoff",
                                "50ms",
                                "--retry-backoff-max",
                                "1s",
                                "--retry-jitter",
                                "--retry-all-methods",
                                "--retry-on-status",
                                "502,503",
                                "--retry-on-status",
                                "504",
                                "--buffer-body",
                                "0",
                                "--buffer-total",
                                "1GiB",
                                "--max-head-bytes",
                                "16KiB",
                                "--max-header-fields",
                                "50"});
    REQUIRE(c.listen.size() == 2);
    CHECK(c.listen[0].host == "0.0.0.0");
    CHECK(c.listen[0].port == 8081);
    CHECK(c.listen[1].host == "::1");
    CHECK(c.listen[1].port == 0);
    CHECK(c.format == OutputFormat::json);
    CHECK(c.log_file == "/tmp/rtproxy.jsonl");
    CHECK(c.quiet);
    CHECK(c.threads == 4);
    REQUIRE(c.trusted_proxies.size() == 3);
    CHECK(c.trusted_proxies[0].to_string() == "10.0.0.0/8");
    CHECK(c.trusted_proxies[1].to_string() == "::1/128");
    CHECK(c.trusted_proxies[2].to_string() == "192.168.1.7/32");
    CHECK(c.max_rounds == 5u);
    CHECK(c.connect_timeout == 250ms);
    CHECK(c.response_header_timeout == 30s);
    CHECK(c.idle_timeout == 2min);
    CHECK(c.upstream_idle_timeout == 1500ms);
    CHECK(c.read_header_timeout == 5s);
    CHECK(c.expect_timeout == 500ms);
    CHECK(c.retries == 3);
    CHECK(c.try_duration == 10s);
    CHECK(c.retry_backoff == 50ms);
    CHECK(c.retry_backoff_max == 1s);
    CHECK(c.retry_jitter);
    CHECK(c.retry_all_methods);
    CHECK(c.retry_on_status == std::vector<int>{502, 503, 504});
    CHECK(c.buffer_body == 0u);
    CHECK(c.buffer_total == 1024ull * 1024 * 1024);
    CHECK(c.max_head_bytes == 16u * 1024);
    CHECK(c.max_header_fields == 50u);
}

TEST_CASE("option --upstream accepts http and https URLs and IPv6 literals") {
    auto upstream = [](const std::string& text) {
        const Run r = run({"--upstream", text});
        INFO(r.err);
        REQUIRE(r.result.config);
        return r.result.config->upstream;
    };
    CHECK(upstream("https://localhost:8443/").scheme == "https");
    CHECK(upstream("https://localhost:8443/").host == "localhost");
    CHECK(upstream("[::1]:9000").host == "::1");
    CHECK(upstream("http://127.0.0.1:1").port == 1);
}

TEST_CASE("option values may also be written --option=value") {
    const Run r = run({"--upstream=127.0.0.1:9000", "--format=pretty", "--connect-timeout=1s"});
    REQUIRE(r.result.config);
    CHECK(r.result.config->format == OutputFormat::pretty);
    CHECK(r.result.config->connect_timeout == 1s);
}

TEST_CASE("a single-valued option given twice keeps the last value") {
    CHECK(config_of({"--format", "json", "--format", "pretty"}).format == OutputFormat::pretty);
    CHECK(config_of({"--upstream", "localhost:9001"}).upstream.port == 9001);
}

TEST_CASE("option --listen :port means 127.0.0.1") {
    const Config c = config_of({"--listen", ":9999"});
    REQUIRE(c.listen.size() == 1);
    CHECK(c.listen[0].host == "127.0.0.1");
    CHECK(c.listen[0].port == 9999);
}

TEST_CASE("option --demo makes --upstream optional") {
    const Run r = run({"--demo"});
    INFO(r.err);
    REQUIRE(r.result.config);
    CHECK(r.result.config->demo);
    CHECK(r.result.config->upstream.host.empty());
}

TEST_CASE("without --upstream or --demo the command line is refused") {
    const Run r = run({});
    CHECK(r.result.exit_code == 2);
    CHECK(r.err == "rtproxy: --upstream is required (or use --demo)\n");
}

TEST_CASE("option --version prints the version and exits 0") {
    const Run r = run({"--version"});
    CHECK_FALSE(r.result.config);
    CHECK(r.result.exit_code == 0);
    CHECK_THAT(r.out, Catch::Matches("rtproxy [0-9]+\\.[0-9]+\\.[0-9]+\n"));
    CHECK(r.err.empty());
}

TEST_CASE("option --help starts with a description, lists the option groups, and exits 0") {
    for (const char* flag : {"--help", "-h"}) {
        const Run r = run({flag});
        CHECK_FALSE(r.result.config);
        CHECK(r.result.exit_code == 0);
        CHECK(r.err.empty());
        CHECK(r.out.rfind("rtproxy: a reverse proxy for debugging HTTP", 0) == 0);
        std::size_t previous = 0;
        for (const char* group : {"\nProxy:\n", "\nOutput:\n", "\nTimeouts:\n", "\nRetries:\n", "\nLimits:\n"}) {
            INFO(group);
            const auto at = r.out.find(group);
            CHECK(at != std::string::npos);
            CHECK(at > previous);
            previous = at;
        }
        CHECK_THAT(r.out, Catch::Contains("--connect-timeout DURATION") && Catch::Contains("(default: 3s)"));
        CHECK_THAT(r.out, !Catch::Contains("--print-man") && !Catch::Contains("--print-completion"));
    }
}

TEST_CASE("option --help wins over a missing --upstream") {
    const Run r = run({"--format", "json", "--help"});
    CHECK(r.result.exit_code == 0);
    CHECK(r.err.empty());
}

TEST_CASE("a bad --upstream names the option, the value and what is expected") {
    const Run r = run({"--upstream", "ftp://x"});
    CHECK(r.result.exit_code == 2);
    CHECK(r.err == "rtproxy: --upstream: \"ftp://x\" is not host:port or http(s)://host:port\n");
}

TEST_CASE("each bad value is exit 2 with one line naming the option and the value") {
    struct Case {
        std::vector<std::string> args;
        std::string option;
        std::string value;
    };
    const std::vector<Case> cases{
        {{"--upstream", "localhost"}, "--upstream", "\"localhost\""},
        {{"--upstream", "localhost:0"}, "--upstream", "\"localhost:0\""},
        {{"--upstream", "localhost:65536"}, "--upstream", "\"localhost:65536\""},
        {{"--upstream", "http://localhost:80/path"}, "--upstream", "\"http://localhost:80/path\""},
        {{"--demo", "--listen", "8080"}, "--listen", "\"8080\""},
        {{"--demo", "--listen", ":70000"}, "--listen", "\":70000\""},
        {{"--demo", "--format", "xml"}, "--format", "\"xml\""},
        {{"--demo", "--log-file", ""}, "--log-file", "\"\""},
        {{"--demo", "--threads", "0"}, "--threads", "\"0\""},
        {{"--demo", "--threads", "257"}, "--threads", "\"257\""},
        {{"--demo", "--threads", "four"}, "--threads", "\"four\""},
        {{"--demo", "--trusted-proxies", "10.0.0.0/33"}, "--trusted-proxies", "\"10.0.0.0/33\""},
        {{"--demo", "--trusted-proxies", "10.0.0.0/8,garbage"}, "--trusted-proxies", "\"garbage\""},
        {{"--demo", "--max-rounds", "0"}, "--max-rounds", "\"0\""},
        {{"--demo", "--connect-timeout", "5"}, "--connect-timeout", "\"5\""},
        {{"--demo", "--connect-timeout", "0s"}, "--connect-timeout", "\"0s\""},
        {{"--demo", "--response-header-timeout", "1h"}, "--response-header-timeout", "\"1h\""},
        {{"--demo", "--idle-timeout", "-1s"}, "--idle-timeout", "\"-1s\""},
        {{"--demo", "--upstream-idle-timeout", "x"}, "--upstream-idle-timeout", "\"x\""},
        {{"--demo", "--read-header-timeout", "10"}, "--read-header-timeout", "\"10\""},
        {{"--demo", "--expect-timeout", "0.1ms"}, "--expect-timeout", "\"0.1ms\""},
        {{"--demo", "--retries", "-1"}, "--retries", "\"-1\""},
        {{"--demo", "--try-duration", "forever"}, "--try-duration", "\"forever\""},
        {{"--demo", "--retry-backoff", "100"}, "--retry-backoff", "\"100\""},
        {{"--demo", "--retry-backoff-max", "2"}, "--retry-backoff-max", "\"2\""},
        {{"--demo", "--retry-on-status", "502,600"}, "--retry-on-status", "\"600\""},
        {{"--demo", "--retry-on-status", "99"}, "--retry-on-status", "\"99\""},
        {{"--demo", "--buffer-body", "1TiB"}, "--buffer-body", "\"1TiB\""},
        {{"--demo", "--buffer-total", "lots"}, "--buffer-total", "\"lots\""},
        {{"--demo", "--max-head-bytes", "0"}, "--max-head-bytes", "\"0\""},
        {{"--demo", "--max-header-fields", "0"}, "--max-header-fields", "\"0\""},
        {{"--demo", "--print-completion", "tcsh"}, "--print-completion", "\"tcsh\""},
    };
    for (const Case& c : cases) {
        INFO(c.option << " " << c.value);
        expect_option_error(c.args, {c.option + ": " + c.value});
    }
}

TEST_CASE("a duration without a unit says that a unit is required") {
    expect_option_error({"--demo", "--idle-timeout", "60"}, {"--idle-timeout", "\"60\"", "unit", "ms, s or m"});
}

TEST_CASE("unknown options and stray arguments are exit 2 with one line") {
    expect_option_error({"--demo", "--no-such-option"}, {"--no-such-option"});
    expect_option_error({"--demo", "stray"}, {"stray"});
}

TEST_CASE("an option missing its value is exit 2 with one line naming it") {
    expect_option_error({"--upstream"}, {"--upstream"});
    expect_option_error({"--demo", "--connect-timeout"}, {"--connect-timeout"});
    expect_option_error({"--upstream", "--demo"}, {"--upstream"});
}

TEST_CASE("a value with control characters is quoted on one line") {
    expect_option_error({"--upstream", "a\nb:80"}, {"--upstream: \"a\\x0ab:80\""});
}

TEST_CASE("file options name the option and the path when the file cannot be read") {
    for (const std::string option : {"--upstream-ca", "--tls-cert", "--tls-key"}) {
        INFO(option);
        expect_option_error({"--upstream", "127.0.0.1:9000", option, "/nonexistent/rtproxy-test.pem"},
                            {option, "/nonexistent/rtproxy-test.pem", "is not a readable file"});
    }
    // A readable file is taken as given.
    const Config c = config_of({"--upstream-ca", RTPROXY_SOURCE_DIR "/CMakeLists.txt"});
    CHECK(c.upstream_ca == RTPROXY_SOURCE_DIR "/CMakeLists.txt");
}
