#include "cli/option_table.hpp"

#include <unistd.h>

#include <algorithm>
#include <memory>
#include <thread>
#include <utility>

#include "cli/endpoints.hpp"
#include "cli/help_format.hpp"
#include "cli/option_error.hpp"
#include "cli/units.hpp"
#include "net/cidr.hpp"

namespace rtproxy::cli {
namespace {

constexpr const char* description =
    "rtproxy: a reverse proxy for debugging HTTP. It forwards every request to --upstream and shows "
    "each round trip: the request as received, the copy sent upstream with its header changes, "
    "retries, 1xx responses, the response, and read/write errors on either side. Output is JSON "
    "lines when piped or with --log-file, and a readable view on a terminal.";

constexpr const char* footer =
    "Durations need a unit: 250ms, 1.5s, 2m. Sizes: 512 (bytes), 64KiB, 1MiB, 1GB.\n"
    "Exit status: 0 ok, 1 runtime failure, 2 bad option. More in rtproxy(1).";

template <class T>
T require(const std::string& option, const std::string& text, Parsed<T> parsed) {
    if (!parsed) throw OptionError(option, text, parsed.problem);
    return std::move(*parsed.value);
}

// Single-valued options keep the last value given, like most Unix tools, so a wrapper
// script's defaults can be overridden by appending.
const std::string& last(const std::vector<std::string>& values) { return values.back(); }

template <class Field>
auto count_into(Field Config::*field, std::uint64_t min, std::uint64_t max) {
    return [=](const std::string& option, const std::vector<std::string>& values, Config& config) {
        config.*field = static_cast<Field>(require(option, last(values), parse_count(last(values), min, max)));
    };
}

Duration positive_duration(const std::string& option, const std::string& text) {
    const Duration d = require(option, text, parse_duration(text));
    if (d.count() == 0) throw OptionError(option, text, "is not a positive duration (a timeout of 0 never waits)");
    return d;
}

auto timeout_into(Duration Config::*field) {
    return [=](const std::string& option, const std::vector<std::string>& values, Config& config) {
        config.*field = positive_duration(option, last(values));
    };
}

auto optional_timeout_into(std::optional<Duration> Config::*field) {
    return [=](const std::string& option, const std::vector<std::string>& values, Config& config) {
        config.*field = positive_duration(option, last(values));
    };
}

auto duration_into(Duration Config::*field) {
    return [=](const std::string& option, const std::vector<std::string>& values, Config& config) {
        config.*field = require(option, last(values), parse_duration(last(values)));
    };
}

template <class Field>
auto size_into(Field Config::*field, std::uint64_t min) {
    return [=](const std::string& option, const std::vector<std::string>& values, Config& config) {
        const std::uint64_t bytes = require(option, last(values), parse_size(last(values)));
        if (bytes < min) throw OptionError(option, last(values), "is less than " + format_size(min));
        config.*field = static_cast<Field>(bytes);
    };
}

// A path that must name a file rtproxy can read now, not when the first request needs it.
auto readable_file_into(std::string Config::*field) {
    return [=](const std::string& option, const std::vector<std::string>& values, Config& config) {
        if (::access(last(values).c_str(), R_OK) != 0) throw OptionError(option, last(values), "is not a readable file");
        config.*field = last(values);
    };
}

OutputFormat parse_format(const std::string& option, const std::string& text) {
    if (text == "auto") return OutputFormat::auto_detect;
    if (text == "json") return OutputFormat::json;
    if (text == "pretty") return OutputFormat::pretty;
    throw OptionError(option, text, "is not one of auto, json, pretty");
}

}  // namespace

OptionTable::OptionTable() : app_(description, "rtproxy") {
    const Config defaults;
    // Unknown options are reported by parse_command_line in our own words.
    app_.allow_extras();
    app_.formatter(std::make_shared<HelpFormat>());
    app_.footer(footer);
    // Removed here and added again at the end, so --help is listed next to --version.
    app_.set_help_flag();

    group_ = "Proxy";
    value("--upstream", "URL", "",
          "Where to forward requests: host:port, http://host:port or https://host:port (required unless --demo)",
          [](const std::string& option, const std::vector<std::string>& values, Config& config) {
              config.upstream = require(option, last(values), parse_upstream(last(values)));
          });
    value("--upstream-ca", "FILE", "system CAs", "With an https upstream: trust the CA certificate(s) in this PEM file",
          readable_file_into(&Config::upstream_ca));
    flag("--upstream-insecure", "With an https upstream: do not verify its certificate (self-signed test servers)",
         &Config::upstream_insecure);
    list("--listen", "ADDR",
         "Accept clients on host:port, :port (127.0.0.1) or [ipv6]:port; port 0 picks a free port; "
         "repeat for several listeners",
         [](const std::string& option, const std::vector<std::string>& values, Config& config) {
             config.listen.clear();
             for (const std::string& text : values) config.listen.push_back(require(option, text, parse_listen(text)));
         })
        ->default_str(defaults.listen.front().host + ":" + std::to_string(defaults.listen.front().port));
    value("--tls-cert", "FILE", "", "Terminate TLS on every listener with this certificate chain (PEM); needs --tls-key",
          readable_file_into(&Config::tls_cert));
    value("--tls-key", "FILE", "", "The private key (PEM) for --tls-cert", readable_file_into(&Config::tls_key));
    flag("--demo", "Run an embedded demo upstream and send it sample traffic (no --upstream needed)",
         &Config::demo);
    value("--threads", "N", "one per core", "Worker threads, 1 to 256",
          count_into(&Config::threads, 1, 256));
    list("--trusted-proxies", "CIDR,...",
         "Clients whose X-Forwarded-* headers are kept and appended to (others' are replaced); "
         "comma separated or repeated, e.g. 10.0.0.0/8,::1",
         [](const std::string& option, const std::vector<std::string>& values, Config& config) {
             for (const std::string& text : values) {
                 auto cidr = net::Cidr::parse(text);
                 if (!cidr) throw OptionError(option, text, "is not an address or CIDR (e.g. 10.0.0.0/8, ::1/128)");
                 config.trusted_proxies.push_back(*cidr);
             }
         })
        ->delimiter(',');
    value("--max-rounds", "N", "", "Exit after N round trips",
          [](const std::string& option, const std::vector<std::string>& values, Config& config) {
              config.max_rounds = require(option, last(values), parse_count(last(values), 1, UINT64_MAX));
          });

    group_ = "Output";
    value("--format", "auto|json|pretty", "auto",
          "What to write on stdout: JSON lines, the pretty view, or auto (pretty on a terminal)",
          [](const std::string& option, const std::vector<std::string>& values, Config& config) {
              config.format = parse_format(option, last(values));
          });
    value("--log-file", "FILE", "", "Also write every event as JSON lines to FILE",
          [](const std::string& option, const std::vector<std::string>& values, Config& config) {
              if (last(values).empty()) throw OptionError(option, last(values), "is not a file name");
              config.log_file = last(values);
          });
    flag("-q,--quiet", "Write nothing on stdout (use with --log-file)", &Config::quiet);

    group_ = "Timeouts";
    value("--connect-timeout", "DURATION", format_duration(defaults.connect_timeout),
          "Give up connecting to the upstream after this long", timeout_into(&Config::connect_timeout));
    value("--response-header-timeout", "DURATION", "none",
          "Give up waiting for the upstream's response head after this long",
          optional_timeout_into(&Config::response_header_timeout));
    value("--idle-timeout", "DURATION", format_duration(defaults.idle_timeout),
          "Close a client connection idle between requests after this long", timeout_into(&Config::idle_timeout));
    value("--upstream-idle-timeout", "DURATION", format_duration(defaults.upstream_idle_timeout),
          "Close a pooled upstream connection idle after this long", timeout_into(&Config::upstream_idle_timeout));
    value("--read-header-timeout", "DURATION", format_duration(defaults.read_header_timeout),
          "Give up on a client whose request head is not complete after this long",
          timeout_into(&Config::read_header_timeout));
    value("--read-body-timeout", "DURATION", format_duration(defaults.read_body_timeout),
          "Give up on a client that sends nothing for this long in the middle of its request body",
          timeout_into(&Config::read_body_timeout));
    value("--expect-timeout", "DURATION", format_duration(defaults.expect_timeout),
          "With Expect: 100-continue, send the body anyway if the upstream is silent this long",
          timeout_into(&Config::expect_timeout));

    group_ = "Retries";
    value("--retries", "N", std::to_string(defaults.retries),
          "Retry a failed attempt up to N more times, when it is safe to", count_into(&Config::retries, 0, 100));
    value("--try-duration", "DURATION", "none", "Stop retrying once this long has passed since the first attempt",
          optional_timeout_into(&Config::try_duration));
    value("--retry-backoff", "DURATION", format_duration(defaults.retry_backoff),
          "Wait this long before the first retry, doubling for each next one", duration_into(&Config::retry_backoff));
    value("--retry-backoff-max", "DURATION", format_duration(defaults.retry_backoff_max),
          "Never wait longer than this between attempts", duration_into(&Config::retry_backoff_max));
    flag("--retry-jitter", "Randomise the backoff waits so clients do not retry in lockstep", &Config::retry_jitter);
    flag("--retry-all-methods", "Also retry non-idempotent requests (POST, PATCH) when their body can be replayed",
         &Config::retry_all_methods);
    list("--retry-on-status", "STATUS,...", "Also retry when the upstream answers with one of these, e.g. 502,503,504",
         [](const std::string& option, const std::vector<std::string>& values, Config& config) {
             for (const std::string& text : values)
                 config.retry_on_status.push_back(
                     static_cast<int>(require(option, text, parse_count(text, 100, 599))));
         })
        ->delimiter(',');
    value("--buffer-body", "SIZE", format_size(defaults.buffer_body),
          "Buffer request bodies up to this size so a retry can replay them; 0 disables",
          size_into(&Config::buffer_body, 0));
    value("--buffer-total", "SIZE", format_size(defaults.buffer_total),
          "Memory for buffered request bodies across all requests at once", size_into(&Config::buffer_total, 0));

    group_ = "Limits";
    value("--max-head-bytes", "SIZE", format_size(defaults.max_head_bytes),
          "Largest request head (request line and header fields) accepted from a client",
          size_into(&Config::max_head_bytes, 1));
    value("--max-header-fields", "N", std::to_string(defaults.max_header_fields),
          "Most header fields accepted in one request head", count_into(&Config::max_header_fields, 1, 100000));

    group_ = "Other";
    app_.set_help_flag("-h,--help", "Print this help and exit")->group(group_);
    app_.set_version_flag("--version", std::string("rtproxy ") + RTPROXY_VERSION, "Print the version and exit")
        ->group(group_);

    const std::string print_man = "Print the man page (roff) and exit";
    app_.add_flag("--print-man", print_man)->group(hidden_group);
    app_.add_option("--print-completion", "Print the completion script for bash, zsh or fish and exit")
        ->type_name("bash|zsh|fish")
        ->group(hidden_group);
}

CLI::Option* OptionTable::value(const std::string& name, const std::string& value_name,
                                const std::string& default_text, const std::string& description, Apply apply) {
    CLI::Option* option = app_.add_option(name, description)
                              ->type_name(value_name)
                              ->default_str(default_text)
                              ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
                              ->group(group_);
    rows_.push_back(Row{option, std::move(apply)});
    return option;
}

CLI::Option* OptionTable::list(const std::string& name, const std::string& value_name,
                               const std::string& description, Apply apply) {
    CLI::Option* option = app_.add_option(name, description)
                              ->type_name(value_name)
                              ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
                              ->group(group_);
    rows_.push_back(Row{option, std::move(apply)});
    return option;
}

CLI::Option* OptionTable::flag(const std::string& name, const std::string& description, bool Config::*field) {
    CLI::Option* option = app_.add_flag(name, description)->group(group_);
    rows_.push_back(Row{option, [field](const std::string&, const std::vector<std::string>&, Config& config) {
                            config.*field = true;
                        }});
    return option;
}

Config OptionTable::to_config() const {
    Config config;
    for (const Row& row : rows_)
        if (row.option->count() > 0) row.apply(row.option->get_name(), row.option->results(), config);

    if (!config.demo && config.upstream.host.empty()) throw OptionError("--upstream is required (or use --demo)");
    if (config.tls_cert.empty() != config.tls_key.empty())
        throw OptionError(config.tls_cert.empty() ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key");
    if (config.threads == 0) config.threads = std::max(1u, std::thread::hardware_concurrency());
    return config;
}

}  // namespace rtproxy::cli
