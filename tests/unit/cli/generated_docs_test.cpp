// The man page and completion scripts are checked in (so packagers need no build to ship
// them) and generated from the option table (so they cannot drift). These tests hold the two
// together: regenerate with scripts/gen-docs, or `unit_cli "[generate]"` before rtproxy builds.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command_line.hpp"
#include "cli/option_docs.hpp"
#include "cli/option_table.hpp"

namespace {

struct Document {
    const char* path;  // relative to the repository root
    std::vector<std::string> args;
};

const std::vector<Document> documents{
    {"man/rtproxy.1", {"--print-man"}},
    {"completions/rtproxy.bash", {"--print-completion", "bash"}},
    {"completions/_rtproxy", {"--print-completion", "zsh"}},
    {"completions/rtproxy.fish", {"--print-completion", "fish"}},
};

std::string generate(std::vector<std::string> args) {
    args.insert(args.begin(), "rtproxy");
    std::vector<const char*> argv;
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    std::ostringstream out;
    std::ostringstream err;
    const auto result = rtproxy::cli::parse_command_line(static_cast<int>(argv.size()), argv.data(), out, err);
    REQUIRE(err.str().empty());
    REQUIRE(result.exit_code == 0);
    REQUIRE_FALSE(result.config);
    return out.str();
}

std::string help() { return generate({"--help"}); }

std::string read_checked_in(const std::string& path) {
    std::ifstream in(std::string(RTPROXY_SOURCE_DIR) + "/" + path, std::ios::binary);
    REQUIRE(in);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// How a name appears in roff: every hyphen-minus escaped.
std::string roff_name(const std::string& name) {
    std::string out;
    for (char c : name) out += c == '-' ? std::string("\\-") : std::string(1, c);
    return out;
}

std::vector<rtproxy::cli::OptionDoc> table() {
    rtproxy::cli::OptionTable options;
    return rtproxy::cli::documented_options(options.app());
}

}  // namespace

TEST_CASE("the checked-in man page and completions are exactly what the option table generates") {
    for (const Document& document : documents) {
        INFO(document.path << " is stale: run scripts/gen-docs (or unit_cli \"[generate]\")");
        CHECK(read_checked_in(document.path) == generate(document.args));
    }
}

TEST_CASE("every option in the table appears in --help, the man page and every completion script") {
    const std::string help_text = help();
    const std::string man = generate({"--print-man"});
    const std::string bash = generate({"--print-completion", "bash"});
    const std::string zsh = generate({"--print-completion", "zsh"});
    const std::string fish = generate({"--print-completion", "fish"});
    for (const auto& option : table()) {
        INFO(option.long_name);
        CHECK_THAT(help_text, Catch::Contains(option.long_name + (option.value_name.empty() ? "" : " " + option.value_name)));
        CHECK_THAT(man, Catch::Contains("\\fB" + roff_name(option.long_name) + "\\fR"));
        CHECK_THAT(bash, Catch::Contains(" " + option.long_name + " ") || Catch::Contains("'" + option.long_name + " ") ||
                             Catch::Contains(" " + option.long_name + "'"));
        const std::string zsh_value = option.value_name.empty() ? "[" : "=[";
        CHECK_THAT(zsh, Catch::Contains(option.long_name + zsh_value) || Catch::Contains(option.long_name + "}'" + zsh_value));
        CHECK_THAT(fish, Catch::Contains("-l " + option.long_name.substr(2) + " "));
        CHECK_THAT(man, Catch::Contains(roff_name(option.description)));
        CHECK_THAT(fish, Catch::Contains(option.description.substr(0, 20)));
        if (!option.short_name.empty()) {
            CHECK_THAT(man, Catch::Contains("\\fB" + roff_name(option.short_name) + "\\fR"));
            CHECK_THAT(bash, Catch::Contains(" " + option.short_name + " "));
            CHECK_THAT(zsh, Catch::Contains(option.short_name + ","));
            CHECK_THAT(fish, Catch::Contains("-s " + option.short_name.substr(1) + " "));
        }
    }
}

TEST_CASE("the option table has every option rtproxy documents, in its groups") {
    const std::vector<std::pair<std::string, std::string>> expected{
        {"--upstream", "Proxy"},
        {"--upstream-ca", "Proxy"},
        {"--upstream-insecure", "Proxy"},
        {"--listen", "Proxy"},
        {"--tls-cert", "Proxy"},
        {"--tls-key", "Proxy"},
        {"--demo", "Proxy"},
        {"--threads", "Proxy"},
        {"--trusted-proxies", "Proxy"},
        {"--max-rounds", "Proxy"},
        {"--format", "Output"},
        {"--log-file", "Output"},
        {"--quiet", "Output"},
        {"--connect-timeout", "Timeouts"},
        {"--response-header-timeout", "Timeouts"},
        {"--idle-timeout", "Timeouts"},
        {"--upstream-idle-timeout", "Timeouts"},
        {"--read-header-timeout", "Timeouts"},
        {"--read-body-timeout", "Timeouts"},
        {"--expect-timeout", "Timeouts"},
        {"--retries", "Retries"},
        {"--try-duration", "Retries"},
        {"--retry-backoff", "Retries"},
        {"--retry-backoff-max", "Retries"},
        {"--retry-jitter", "Retries"},
        {"--retry-all-methods", "Retries"},
        {"--retry-on-status", "Retries"},
        {"--buffer-body", "Retries"},
        {"--buffer-total", "Retries"},
        {"--max-head-bytes", "Limits"},
        {"--max-header-fields", "Limits"},
        {"--help", "Other"},
        {"--version", "Other"},
    };
    std::vector<std::pair<std::string, std::string>> actual;
    for (const auto& option : table()) actual.emplace_back(option.long_name, option.group);
    CHECK(actual == expected);
}

TEST_CASE("the generators read choices, file values and repeatability from the table") {
    for (const auto& option : table()) {
        INFO(option.long_name);
        if (option.long_name == "--format") {
            CHECK(option.choices == std::vector<std::string>{"auto", "json", "pretty"});
        } else {
            CHECK(option.choices.empty());
        }
        CHECK(option.file == (option.long_name == "--log-file" || option.long_name == "--upstream-ca" ||
                              option.long_name == "--tls-cert" || option.long_name == "--tls-key"));
        const bool repeatable = option.long_name == "--listen" || option.long_name == "--trusted-proxies" ||
                                option.long_name == "--retry-on-status";
        CHECK(option.repeatable == repeatable);
    }
    CHECK_THAT(generate({"--print-completion", "bash"}), Catch::Contains("compgen -W 'auto json pretty'"));
    CHECK_THAT(generate({"--print-completion", "zsh"}), Catch::Contains(":FILE:_files'"));
    CHECK_THAT(generate({"--print-completion", "fish"}), Catch::Contains("-l log-file -r -F"));
}

TEST_CASE("the man page has the sections a man page reader expects") {
    const std::string man = generate({"--print-man"});
    for (const char* section : {".SH NAME\n", ".SH SYNOPSIS\n", ".SH DESCRIPTION\n", ".SH OPTIONS\n", ".SH OUTPUT\n",
                                ".SH EXIT STATUS\n", ".SH EXAMPLES\n"}) {
        INFO(section);
        CHECK_THAT(man, Catch::Contains(section));
    }
    CHECK_THAT(man, Catch::Contains("rtproxy \\-\\-upstream 127.0.0.1:9000\n"));
    CHECK_THAT(man, Catch::Contains("jq 'select(.outcome != \"ok\")'"));
    CHECK_THAT(man, Catch::Contains("rtproxy \\-\\-demo\n"));
}

TEST_CASE("writes the man page and completions into the source tree", "[.generate]") {
    for (const Document& document : documents) {
        std::ofstream out(std::string(RTPROXY_SOURCE_DIR) + "/" + document.path, std::ios::binary | std::ios::trunc);
        REQUIRE(out);
        out << generate(document.args);
        REQUIRE(out);
    }
}
