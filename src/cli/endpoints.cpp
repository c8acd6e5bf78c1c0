#include "cli/endpoints.hpp"

#include <arpa/inet.h>

#include <array>
#include <cctype>
#include <string>

namespace rtproxy::cli {
namespace {

struct HostPort {
    std::string host;  // without brackets
    std::uint16_t port = 0;
};

bool is_ip(int family, const std::string& text) {
    std::array<unsigned char, 16> bytes{};
    return ::inet_pton(family, text.c_str(), bytes.data()) == 1;
}

bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// An IPv4 literal or a DNS name (RFC 1123 §2.1 labels; "_" tolerated because real internal
// names use it). All-numeric dotted text must be a real IPv4 address: "300.1.1.1" is a typo,
// not a name.
bool is_host_name(const std::string& host) {
    if (host.empty() || host.size() > 253) return false;
    if (host.find_first_not_of("0123456789.") == std::string::npos) return is_ip(AF_INET, host);
    std::size_t label = 0;
    char previous = '.';
    for (char c : host) {
        if (c == '.') {
            if (label == 0 || previous == '-') return false;
            label = 0;
        } else if (is_alnum(c) || c == '_' || (c == '-' && label > 0)) {
            if (++label > 63) return false;
        } else {
            return false;
        }
        previous = c;
    }
    return previous != '-';
}

// Port digits only: "+80", "8O" and "" are not ports.
std::optional<std::uint16_t> parse_port(std::string_view text, bool allow_zero) {
    if (text.empty() || text.size() > 5) return std::nullopt;
    unsigned value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535 || (value == 0 && !allow_zero)) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

// "host:port" or "[v6]:port"; an empty host stays empty for the caller to default.
std::optional<HostPort> split_host_port(std::string_view text, bool allow_zero_port) {
    HostPort result;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        result.host = std::string(text.substr(1, close - 1));
        if (!is_ip(AF_INET6, result.host)) return std::nullopt;
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        result.host = std::string(text.substr(0, colon));
        if (!result.host.empty() && !is_host_name(result.host)) return std::nullopt;
        port = text.substr(colon + 1);
    }
    const auto number = parse_port(port, allow_zero_port);
    if (!number) return std::nullopt;
    result.port = *number;
    return result;
}

}  // namespace

Parsed<ListenSpec> parse_listen(std::string_view text) {
    using Result = Parsed<ListenSpec>;
    auto split = split_host_port(text, /*allow_zero_port=*/true);
    if (!split) return Result::fail("is not host:port, :port or [ipv6]:port (port 0-65535)");
    ListenSpec spec;
    if (!split->host.empty()) spec.host = std::move(split->host);
    spec.port = split->port;
    return Result::ok(std::move(spec));
}

Parsed<UpstreamSpec> parse_upstream(std::string_view text) {
    using Result = Parsed<UpstreamSpec>;
    const auto fail = [] { return Result::fail("is not host:port or http(s)://host:port"); };

    UpstreamSpec spec;
    std::string_view rest = text;
    if (const auto scheme_end = rest.find("://"); scheme_end != std::string_view::npos) {
        // Schemes are case-insensitive (RFC 3986 §3.1); the canonical form is lowercase.
        std::string scheme(rest.substr(0, scheme_end));
        for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (scheme != "http" && scheme != "https") return fail();
        spec.scheme = std::move(scheme);
        rest.remove_prefix(scheme_end + 3);
    }
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);

    auto split = split_host_port(rest, /*allow_zero_port=*/false);
    if (!split || split->host.empty()) return fail();
    spec.host = std::move(split->host);
    spec.port = split->port;
    return Result::ok(std::move(spec));
}

}  // namespace rtproxy::cli
