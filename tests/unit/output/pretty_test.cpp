// The terminal view: what a developer used to `curl -v` reads.
#include <catch2/catch.hpp>

#include "output/pretty.hpp"
#include "sample_records.hpp"
#include "test_support.hpp"

using rtproxy::output::to_pretty_text;
using namespace rtproxy::output::test;

namespace {

bool has_line(const std::string& text, const std::string& line) {
    for (const auto& l : split_lines(text))
        if (l == line) return true;
    return false;
}

}  // namespace

TEST_CASE("the first line sums up the round trip: id, request line, status, time, connection, attempts") {
    auto record = full_record();
    record.duration_ms = 1.8;
    const auto text = to_pretty_text(record, false);
    CHECK(split_lines(text).front() == "#12 POST /api/users?x=1 → 200 OK  1.8 ms  (conn 3 #2, tls, 2 attempts)");

    const auto rejected = to_pretty_text(proxy_made_400(), false);
    CHECK(split_lines(rejected).front() == "#1 GET / → 400 Bad Request  0.50 ms  (conn 1 #1, 0 attempts)");
    CHECK(has_line(rejected, "  (not forwarded upstream)"));
}

TEST_CASE("the request as received and the changes made for upstream are shown like curl -v") {
    const auto text = to_pretty_text(full_record(), false);
    CHECK(has_line(text, "> POST /api/users?x=1 HTTP/1.1"));
    CHECK(has_line(text, "> Host: localhost:8080"));
    CHECK(has_line(text, "> x-dup: b"));
    CHECK(has_line(text, "> [body 5 bytes, chunked]"));
    CHECK(has_line(text, "> X-Checksum: abc"));
    CHECK(has_line(text, "  ~ remove Connection: keep-alive (hop-by-hop)"));
    CHECK(has_line(text, "  + X-Forwarded-For: 127.0.0.1"));
    CHECK(has_line(text, "  ~ replace Via: 1.1 rtproxy"));
}

TEST_CASE("each attempt, each interim response and the response get their own lines") {
    const auto text = to_pretty_text(full_record(), false);
    CHECK(has_line(text,
                   "  attempt 1: ✗ upstream connect failed (refused): Connection refused  → 127.0.0.1:9000  connect "
                   "0.50 ms  retry in 100 ms (connect refused; request not sent)"));
    CHECK(has_line(text,
                   "  attempt 2: 200  127.0.0.1:40000 → 127.0.0.1:9000 (reused)  connect 0.12 ms, first byte 2.0 ms"));
    CHECK(has_line(text, "  ← 103 Early Hints  Link: </s.css>; rel=preload  +1.2 ms  (relayed)"));
    CHECK(has_line(text, "< HTTP/1.1 200 OK"));
    CHECK(has_line(text, "< Content-Type: application/json"));
    CHECK(has_line(text, "< [body 5120 bytes, length]"));
    CHECK(has_line(text, "  ⇄ websocket tunnel: 10 bytes to upstream, 20 bytes to client, closed by upstream"));
    CHECK(has_line(text, "  ✗ client write failed mid-body (reset) after 4096 bytes: Connection reset by peer"));
    CHECK(has_line(text, "  outcome: client_abort"));
}

TEST_CASE("a response made by rtproxy says so, and an upstream read error names peer, op, phase and bytes") {
    auto record = proxy_made_400();
    record.errors = {{rtproxy::record::Op::read, rtproxy::record::Peer::upstream, rtproxy::record::Phase::response_body,
                      "reset", "Connection reset by peer", 5120, 1}};
    const auto text = to_pretty_text(record, false);
    CHECK(has_line(text, "< HTTP/1.1 400 Bad Request  (made by rtproxy)"));
    CHECK(has_line(text,
                   "  ✗ upstream read failed mid-body (reset) after 5120 bytes: Connection reset by peer (attempt 1)"));
}

TEST_CASE("colour is ANSI when on and absent when off") {
    CHECK(to_pretty_text(full_record(), false).find('\x1b') == std::string::npos);
    CHECK(to_pretty_text(sample_listening(), false).find('\x1b') == std::string::npos);
    CHECK(to_pretty_text(sample_shutdown(), false).find('\x1b') == std::string::npos);
    const auto coloured = to_pretty_text(full_record(), true);
    CHECK(coloured.find("\x1b[31m✗") != std::string::npos);  // errors in red
    CHECK(coloured.find("\x1b[0m") != std::string::npos);
}

TEST_CASE("wire bytes cannot drive the terminal: control characters and invalid UTF-8 show as \\xNN") {
    auto record = proxy_made_400();
    record.request.headers = {{"X-Evil", "\x1b[2Jgone\r"}, {"X-Latin1", "caf\xE9"}, {"X-Ok", "caf\xC3\xA9"}};
    const auto text = to_pretty_text(record, true);
    CHECK(text.find("\x1b[2J") == std::string::npos);
    CHECK(text.find("\\x1B[2Jgone\\x0D") != std::string::npos);
    CHECK(text.find("caf\\xE9") != std::string::npos);
    CHECK(text.find("caf\xC3\xA9") != std::string::npos);
}

TEST_CASE("the listening and shutdown events are one line each") {
    CHECK(to_pretty_text(sample_listening(), false) ==
          "rtproxy 0.1.0 listening on http://127.0.0.1:8080, https://[::1]:8443 → http://127.0.0.1:9000\n\n");
    auto listening = sample_listening();
    listening.listen.resize(1);
    listening.admin = "127.0.0.1:9901";
    CHECK(to_pretty_text(listening, false) ==
          "rtproxy 0.1.0 listening on http://127.0.0.1:8080 → http://127.0.0.1:9000  (admin 127.0.0.1:9901)\n\n");
    CHECK(to_pretty_text(sample_shutdown(), false) ==
          "rtproxy shut down (signal SIGINT): 3 round trips, 3 errors (connect 2, read 1), 0 dropped, up 1500 ms\n");
}
