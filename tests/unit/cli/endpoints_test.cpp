#include <catch2/catch.hpp>

#include "cli/endpoints.hpp"

using namespace rtproxy::cli;

TEST_CASE("an upstream is host:port or http(s)://host:port with an optional trailing slash") {
    struct Case {
        const char* text;
        const char* scheme;
        const char* host;
        std::uint16_t port;
    };
    for (const Case& c : {
             Case{"127.0.0.1:9000", "http", "127.0.0.1", 9000},
             Case{"localhost:80", "http", "localhost", 80},
             Case{"http://localhost:8080", "http", "localhost", 8080},
             Case{"http://localhost:8080/", "http", "localhost", 8080},
             Case{"https://api.example.test:443", "https", "api.example.test", 443},
             Case{"https://10.0.0.1:8443/", "https", "10.0.0.1", 8443},
             Case{"[::1]:9000", "http", "::1", 9000},
             Case{"https://[::1]:9443", "https", "::1", 9443},
             Case{"127.0.0.1:9000/", "http", "127.0.0.1", 9000},
             Case{"my-svc_internal:65535", "http", "my-svc_internal", 65535},
             Case{"HTTPS://localhost:8443", "https", "localhost", 8443},
         }) {
        INFO(c.text);
        const auto parsed = parse_upstream(c.text);
        REQUIRE(parsed);
        CHECK(parsed.value->scheme == c.scheme);
        CHECK(parsed.value->host == c.host);
        CHECK(parsed.value->port == c.port);
    }
}

TEST_CASE("an upstream without a port, with port 0, another scheme or a path is refused") {
    for (const char* bad : {"localhost", "http://localhost", "https://localhost/", "localhost:0", "localhost:65536",
                            "localhost:99999999", "ftp://x:21", "ftp://x", "httpx://x:80", "http://x:80/api",
                            "x:80//", ":9000", "http://:9000", "::1:9000", "[::1]", "[::1]9000", "[1.2.3.4]:80",
                            "[::g]:80", "x:-1", "x:+80", "x: 80", "-bad:80", "bad-:80", "a..b:80", "300.1.1.1:80",
                            "user@host:80", "http//x:80", ""}) {
        INFO(bad);
        const auto parsed = parse_upstream(bad);
        CHECK_FALSE(parsed);
        CHECK(parsed.problem == "is not host:port or http(s)://host:port");
    }
}

TEST_CASE("a listen address is host:port, :port or [ipv6]:port, and :port means 127.0.0.1") {
    struct Case {
        const char* text;
        const char* host;
        std::uint16_t port;
    };
    for (const Case& c : {
             Case{"127.0.0.1:8080", "127.0.0.1", 8080},
             Case{":9090", "127.0.0.1", 9090},
             Case{"0.0.0.0:80", "0.0.0.0", 80},
             Case{"[::1]:8080", "::1", 8080},
             Case{"[::]:8080", "::", 8080},
             Case{"localhost:8080", "localhost", 8080},
             Case{"127.0.0.1:0", "127.0.0.1", 0},
             Case{":0", "127.0.0.1", 0},
         }) {
        INFO(c.text);
        const auto parsed = parse_listen(c.text);
        REQUIRE(parsed);
        CHECK(parsed.value->host == c.host);
        CHECK(parsed.value->port == c.port);
    }
}

TEST_CASE("a listen address without a port or with a scheme is refused") {
    for (const char* bad : {"", "8080", "localhost", ":", ":65536", "http://127.0.0.1:8080", "::1:8080", "[::1]",
                            "127.0.0.1:80/"}) {
        INFO(bad);
        const auto parsed = parse_listen(bad);
        CHECK_FALSE(parsed);
        CHECK_THAT(parsed.problem, Catch::Contains("host:port"));
    }
}
