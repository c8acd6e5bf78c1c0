// 1xx interim responses (ROUND_TRIP_NOTES §4, contract `interim`): Expect: 100-continue
// is the upstream's to answer, rtproxy holds the body back until it does (or until
// --expect-timeout), every other 1xx but 101 reaches HTTP/1.1 clients in order, none
// reaches HTTP/1.0 clients, and a final answer instead of 100 never mis-frames the
// client connection.
#include <atomic>
#include <memory>

#include "harness/interim_peers.hpp"
#include "test_support.hpp"

using namespace rtproxy::integration;

namespace {

constexpr std::size_t two_mib = 2 * 1024 * 1024;

std::vector<json> interim_of(const json& record) { return at(record, "/interim").get<std::vector<json>>(); }

std::optional<json> expect_timeout_error(const json& record) {
    for (const auto& e : at(record, "/errors"))
        if (e.value("phase", "") == "interim" && e.value("kind", "") == "timeout") return e;
    return std::nullopt;
}

std::string post_head(const std::string& target, std::size_t length, bool expect_continue,
                      const std::string& version = "HTTP/1.1") {
    return "POST " + target + " " + version + "\r\nHost: example.test\r\n" +
           (expect_continue ? "Expect: 100-continue\r\n" : "") + "Content-Length: " + std::to_string(length) +
           "\r\n\r\n";
}

// An origin that answers each GET with these 1xx heads (one write each, so they arrive
// apart), then a 200 whose body is the target.
Script interim_then_ok(std::vector<std::string> interims) {
    return serve([interims = std::move(interims)](const ReceivedRequest& request) {
        std::string out;
        for (const auto& head : interims) out += head;
        return out + http_response(200, request.target);
    });
}

// Reads responses until a final one; RawClient::read_final_response stops at 16 1xx, and
// some tests here are about more. A final response that never comes (the connection left
// open after a 1xx) ends the list with status 0 and says so in `reason`, so the test's
// own assertions show what happened instead of an exception.
std::vector<HttpResponse> read_through_final(RawClient& client, std::size_t bound = 64) {
    std::vector<HttpResponse> responses;
    for (std::size_t i = 0; i < bound; ++i) {
        try {
            responses.push_back(client.read_response(false, Millis{5000}));
        } catch (const IoTimeout&) {
            HttpResponse none;
            none.reason = "nothing more within 5 s; the connection stayed open";
            responses.push_back(std::move(none));
        }
        if (responses.back().status >= 200 || responses.back().status == 0) break;
    }
    return responses;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Expect: 100-continue
// ---------------------------------------------------------------------------------------

TEST_CASE("curl's 2 MiB POST with Expect: 100-continue gets the upstream's 100 and arrives whole") {
    TempDir dir;
    auto data = pattern_bytes(two_mib, 7);
    auto file = dir.write("upload.bin", data);
    ScriptedUpstream upstream(measure_upload(ContinuePolicy::send_continue));
    ProxyProcess proxy(upstream.port());

    auto result = curl({"-H", "Expect: 100-continue", "--data-binary", "@" + file.string(), url(proxy.port(), "/upload")});
    INFO(result.describe());
    REQUIRE(result.exit_code == 0);
    CHECK(result.out == body_summary(data));

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "ok");
    CHECK(header_value(at(record, "/upstream_request/headers"), "Expect") == "100-continue");
    CHECK(at(record, "/request/body_bytes") == two_mib);
    CHECK(at(record, "/upstream_request/body_bytes") == two_mib);
    auto interim = interim_of(record);
    REQUIRE(interim.size() == 1);
    CHECK(at(interim[0], "/status") == 100);
    CHECK(at(interim[0], "/forwarded") == true);
    CHECK(at(interim[0], "/attempt") == 1);
    CHECK_FALSE(expect_timeout_error(record));
    CHECK(at(record, "/response/status") == 200);
    CHECK(icontains(upstream.received(0), "\r\nExpect: 100-continue\r\n"));
}

TEST_CASE("curl -T uploads a file through the 100 Continue handshake") {
    TempDir dir;
    auto data = pattern_bytes(two_mib, 11);
    auto file = dir.write("put.bin", data);
    ScriptedUpstream upstream(measure_upload(ContinuePolicy::send_continue));
    ProxyProcess proxy(upstream.port());

    auto result = curl({"-T", file.string(), url(proxy.port(), "/files/put.bin")});
    INFO(result.describe());
    REQUIRE(result.exit_code == 0);
    CHECK(result.out == body_summary(data));

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/request/method") == "PUT");
    // curl asks for a 100 before a large upload by itself.
    CHECK(header_value(at(record, "/request/headers"), "Expect") == "100-continue");
    auto interim = interim_of(record);
    REQUIRE(interim.size() == 1);
    CHECK(at(interim[0], "/status") == 100);
    CHECK(at(interim[0], "/forwarded") == true);
    CHECK(at(record, "/upstream_request/body_bytes") == two_mib);
    CHECK_FALSE(expect_timeout_error(record));
}

TEST_CASE("when the upstream never sends 100 the body goes after --expect-timeout, and the record says so") {
    TempDir dir;
    auto data = pattern_bytes(two_mib, 3);
    auto file = dir.write("upload.bin", data);
    // An origin that ignores Expect and just reads the body when it comes.
    ScriptedUpstream upstream(measure_upload(ContinuePolicy::never));
    ProxyProcess proxy(upstream.port());

    auto result = curl({"-H", "Expect: 100-continue", "--data-binary", "@" + file.string(), url(proxy.port(), "/upload")});
    INFO(result.describe());
    REQUIRE(result.exit_code == 0);
    CHECK(result.out == body_summary(data));

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/outcome") == "ok");
    CHECK(interim_of(record).empty());
    auto error = expect_timeout_error(record);
    REQUIRE(error);
    CHECK(error->at("peer") == "upstream");
    CHECK(error->at("message") == "no 100 from upstream within 1s; sending body");
    CHECK(at(record, "/upstream_request/body_bytes") == two_mib);
    CHECK(upstream.script_failures().empty());
}

TEST_CASE("rtproxy forwards no body byte before the upstream's 100, even when the client sent it at once") {
    // A client that does not wait for 100 (allowed, RFC 9110 §10.1.1): its body is already
    // in rtproxy's socket buffer, yet must not reach the upstream before the 100.
    const std::string body = "early body, held back";
    std::atomic<bool> body_arrived_early{false};
    std::atomic<bool> checked{false};
    ScriptedUpstream upstream([&](UpstreamConnection& connection) {
        auto head = parse_head(connection.read_head());
        try {
            connection.read_exact(1, Millis{500});
            body_arrived_early = true;
        } catch (const IoTimeout&) {
        }
        checked = true;
        if (body_arrived_early) return;
        connection.write(interim_head(100, "Continue"));
        auto got = connection.read_exact(std::stoull(head.field("Content-Length").value_or("0")));
        connection.write(http_response(200, body_summary(got)));
    });
    // Far longer than the 500 ms the upstream watches, so a loaded machine cannot make
    // the timeout fire inside the window.
    ProxyProcess proxy(upstream.port(), {"--expect-timeout", "10s"});

    RawClient client(proxy.port());
    client.send(post_head("/upload", body.size(), true) + body);
    auto responses = read_through_final(client);
    REQUIRE(upstream.wait_for_scripts());
    CHECK(checked);
    CHECK_FALSE(body_arrived_early);
    REQUIRE(responses.size() == 2);
    CHECK(responses[0].status == 100);
    CHECK(responses[1].status == 200);
    CHECK(responses[1].body == body_summary(body));

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK_FALSE(expect_timeout_error(record));
    REQUIRE(interim_of(record).size() == 1);
}

TEST_CASE("the client gets exactly the upstream's one 100 Continue, byte for byte, then the final response") {
    const std::string body = "seventeen bytes!!";
    ScriptedUpstream upstream(serve([](const ReceivedRequest& request) {  // read_request answers Expect with 100
        return http_response(200, body_summary(request.body));
    }));
    ProxyProcess proxy(upstream.port());

    RawClient client(proxy.port());
    client.send(post_head("/upload", body.size(), true));
    auto first = client.read_response();
    CHECK(first.raw == "HTTP/1.1 100 Continue\r\n\r\n");
    client.send(body);
    auto final_response = client.read_response();
    CHECK(final_response.status == 200);
    CHECK(final_response.body == body_summary(body));
    // Nothing else was sent: a second 100 of rtproxy's own would be here.
    CHECK(client.wait_for_close(Millis{300}) == ReadStatus::timeout);
    CHECK(count_occurrences(first.raw + final_response.raw, "100 Continue") == 1);

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    auto interim = interim_of(record);
    REQUIRE(interim.size() == 1);
    CHECK(at(interim[0], "/status") == 100);
    CHECK(at(interim[0], "/reason") == "Continue");
    CHECK(at(interim[0], "/forwarded") == true);
}

TEST_CASE("a final 417 instead of 100 is relayed, no body goes upstream, and the client connection stays framed") {
    const std::string body = "hello world";
    // Connection 0 rejects the upload; a later GET (on any connection) is answered with its target.
    ScriptedUpstream upstream([](UpstreamConnection& connection) {
        for (;;) {
            std::string text;
            try {
                text = connection.read_head(keep_alive_wait);
            } catch (const StreamEnded&) {
                return;
            }
            auto head = parse_head(text);
            if (head.start_line.rfind("POST", 0) == 0) {
                connection.write(http_response(417, "expectation refused"));
                connection.wait_for_close(Millis{5000});
                return;
            }
            auto target = head.start_line.substr(4, head.start_line.find(' ', 4) - 4);
            connection.write(http_response(200, target));
        }
    });
    ProxyProcess proxy(upstream.port());

    RawClient client(proxy.port());
    client.send(post_head("/upload", body.size(), true));
    auto rejected = client.read_final_response();
    INFO(rejected.raw);
    CHECK(rejected.status == 417);
    CHECK(rejected.body == "expectation refused");
    CHECK(count_occurrences(rejected.raw, "100 Continue") == 0);

    // The body was never read, so rtproxy either closes the connection or reads the body
    // before the next request; it must never take the body for the next request.
    if (rejected.header("Connection") && icontains(*rejected.header("Connection"), "close")) {
        auto end = client.wait_for_close();
        CHECK((end == ReadStatus::eof || end == ReadStatus::reset));
    } else {
        client.send(body + get("/next"));
        auto next = client.read_final_response();
        CHECK(next.status == 200);
        CHECK(next.body == "/next");
    }

    REQUIRE(upstream.wait_for_connections(1));
    auto first = upstream.received(0);
    // Only the head reached the upstream on the rejected request's connection.
    CHECK(first.size() == first.find("\r\n\r\n") + 4);
    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/response/status") == 417);
    CHECK(at(record, "/response/source") == "upstream");
    CHECK(at(record, "/upstream_request/body_bytes") == 0);
    CHECK(at(record, "/attempts/0/request_body_bytes_written") == 0);
    CHECK(interim_of(record).empty());
}

TEST_CASE("a body sent with Expect and then refused with 417 is never taken for the next request") {
    // The body is itself a request: if rtproxy read it as the next request, the upstream
    // would see /smuggled.
    const std::string smuggled = get("/smuggled");
    std::atomic<bool> saw_smuggled{false};
    ScriptedUpstream upstream([&](UpstreamConnection& connection) {
        for (;;) {
            std::string text;
            try {
                text = connection.read_head(keep_alive_wait);
            } catch (const StreamEnded&) {
                return;
            }
            auto head = parse_head(text);
            if (icontains(head.start_line, "/smuggled")) saw_smuggled = true;
            if (head.start_line.rfind("POST", 0) == 0) {
                connection.write(http_response(417, "expectation refused"));
                connection.wait_for_close(Millis{5000});
                return;
            }
            auto target = head.start_line.substr(4, head.start_line.find(' ', 4) - 4);
            connection.write(http_response(200, target));
        }
    });
    ProxyProcess proxy(upstream.port());

    RawClient client(proxy.port());
    client.send(post_head("/upload", smuggled.size(), true) + smuggled);
    auto rejected = client.read_final_response();
    INFO(rejected.raw);
    CHECK(rejected.status == 417);

    bool closing = rejected.header("Connection") && icontains(*rejected.header("Connection"), "close");
    if (closing) {
        auto rest = client.read_all_until_close();
        CHECK(rest.bytes.empty());
    } else {
        client.send(get("/next"));
        auto next = client.read_final_response();
        CHECK(next.status == 200);
        CHECK(next.body == "/next");
    }
    proxy.wait_for_round_trips(1);
    REQUIRE(upstream.wait_for_connections(1));
    CHECK_FALSE(saw_smuggled);
    for (std::size_t i = 0; i < upstream.connections_accepted(); ++i)
        CHECK_FALSE(icontains(upstream.received(i), "/smuggled"));
}

// ---------------------------------------------------------------------------------------
// Other 1xx
// ---------------------------------------------------------------------------------------

TEST_CASE("two 103 Early Hints reach the client in order with their Link headers, then the 200") {
    ScriptedUpstream upstream(interim_then_ok({
        interim_head(103, "Early Hints", {{"Link", "</style.css>; rel=preload; as=style"}}),
        interim_head(103, "Early Hints", {{"Link", "</app.js>; rel=preload; as=script"}}),
    }));
    ProxyProcess proxy(upstream.port());

    RawClient client(proxy.port());
    client.send(get("/page"));
    auto responses = read_through_final(client);
    REQUIRE(responses.size() == 3);
    CHECK(responses[0].status == 103);
    CHECK(responses[0].reason == "Early Hints");
    CHECK(responses[0].header("Link") == "</style.css>; rel=preload; as=style");
    CHECK(responses[1].status == 103);
    CHECK(responses[1].header("Link") == "</app.js>; rel=preload; as=script");
    CHECK(responses[2].status == 200);
    CHECK(responses[2].body == "/page");
    CHECK(responses[0].raw.rfind("HTTP/1.1 103 Early Hints\r\n", 0) == 0);

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    auto interim = interim_of(record);
    REQUIRE(interim.size() == 2);
    for (const auto& entry : interim) {
        CHECK(at(entry, "/status") == 103);
        CHECK(at(entry, "/forwarded") == true);
        CHECK(at(entry, "/attempt") == 1);
    }
    CHECK(header_value(at(interim[0], "/headers"), "Link") == "</style.css>; rel=preload; as=style");
    CHECK(header_value(at(interim[1], "/headers"), "Link") == "</app.js>; rel=preload; as=script");
    CHECK(at(interim[0], "/at_ms").get<double>() <= at(interim[1], "/at_ms").get<double>());
    CHECK(at(record, "/response/status") == 200);
}

TEST_CASE("hop-by-hop fields are stripped from a relayed 1xx") {
    ScriptedUpstream upstream(interim_then_ok({interim_head(
        103, "Early Hints",
        {{"Connection", "X-Hint-Hop"}, {"X-Hint-Hop", "1"}, {"Keep-Alive", "timeout=5"}, {"Link", "</a.css>; rel=preload"}})}));
    ProxyProcess proxy(upstream.port());

    RawClient client(proxy.port());
    client.send(get("/page"));
    auto responses = read_through_final(client);
    REQUIRE(responses.size() == 2);
    INFO(responses[0].raw);
    CHECK(responses[0].status == 103);
    CHECK(responses[0].header("Link") == "</a.css>; rel=preload");
    CHECK_FALSE(responses[0].header("Connection"));
    CHECK_FALSE(responses[0].header("Keep-Alive"));
    CHECK_FALSE(responses[0].header("X-Hint-Hop"));  // named by Connection
    CHECK(responses[1].status == 200);
}

TEST_CASE("102 Processing is relayed before the final response") {
    ScriptedUpstream upstream(interim_then_ok({interim_head(102, "Processing")}));
    ProxyProcess proxy(upstream.port());

    RawClient client(proxy.port());
    client.send(get("/slow-webdav"));
    auto responses = read_through_final(client);
    REQUIRE(responses.size() == 2);
    CHECK(responses[0].raw == "HTTP/1.1 102 Processing\r\n\r\n");
    CHECK(responses[1].status == 200);

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    auto interim = interim_of(record);
    REQUIRE(interim.size() == 1);
    CHECK(at(interim[0], "/status") == 102);
    CHECK(at(interim[0], "/forwarded") == true);
}

TEST_CASE("an unknown 1xx (199) is relayed with its headers like any other") {
    ScriptedUpstream upstream(interim_then_ok({interim_head(199, "Something New", {{"X-Hint", "unknown 1xx"}})}));
    ProxyProcess proxy(upstream.port());

    RawClient client(proxy.port());
    client.send(get("/future"));
    auto responses = read_through_final(client);
    REQUIRE(responses.size() == 2);
    CHECK(responses[0].status == 199);
    CHECK(responses[0].reason == "Something New");
    CHECK(responses[0].header("X-Hint") == "unknown 1xx");
    CHECK(responses[1].status == 200);
    CHECK(responses[1].body == "/future");

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    auto interim = interim_of(record);
    REQUIRE(interim.size() == 1);
    CHECK(at(interim[0], "/status") == 199);
    CHECK(at(interim[0], "/forwarded") == true);
}

TEST_CASE("an HTTP/1.0 client gets no 1xx bytes and the record says the 103 was not forwarded") {
    ScriptedUpstream upstream(
        interim_then_ok({interim_head(103, "Early Hints", {{"Link", "</style.css>; rel=preload"}})}));
    ProxyProcess proxy(upstream.port());

    RawClient client(proxy.port());
    client.send("GET /old HTTP/1.0\r\nHost: example.test\r\n\r\n");
    auto all = client.read_all_until_close();
    INFO(all.bytes);
    CHECK(all.bytes.rfind("HTTP/1.1 200 ", 0) == 0);
    CHECK(count_occurrences(all.bytes, " 103 ") == 0);
    CHECK(count_occurrences(all.bytes, "Link:") == 0);
    CHECK(all.bytes.size() >= 4);
    CHECK(all.bytes.substr(all.bytes.size() - 4) == "/old");

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    auto interim = interim_of(record);
    REQUIRE(interim.size() == 1);
    CHECK(at(interim[0], "/status") == 103);
    CHECK(at(interim[0], "/forwarded") == false);
    CHECK(at(record, "/response/status") == 200);
}

TEST_CASE("32 interim responses are relayed; the 33rd makes it a 502") {
    auto hints = [](int n) {
        std::vector<std::string> heads;
        for (int i = 0; i < n; ++i)
            heads.push_back(interim_head(103, "Early Hints", {{"Link", "</" + std::to_string(i) + ".css>; rel=preload"}}));
        return heads;
    };

    SECTION("32 is within the limit") {
        ScriptedUpstream upstream(interim_then_ok(hints(32)));
        ProxyProcess proxy(upstream.port());
        RawClient client(proxy.port());
        client.send(get("/many"));
        auto responses = read_through_final(client);
        REQUIRE(responses.size() == 33);
        CHECK(responses.back().status == 200);
        auto record = proxy.wait_for_round_trips(1).at(0);
        CHECK(interim_of(record).size() == 32);
        CHECK(at(record, "/outcome") == "ok");
    }

    SECTION("33 is one too many") {
        ScriptedUpstream upstream(interim_then_ok(hints(33)));
        // Retries allowed: they must still not happen once a 1xx reached the client.
        ProxyProcess proxy(upstream.port(), {"--retries", "3"});
        RawClient client(proxy.port());
        client.send(get("/many"));
        auto responses = read_through_final(client);
        INFO("responses read: " << responses.size() << ", last: " << responses.back().status << " "
                                 << responses.back().reason << "\n" << responses.back().raw);
        CHECK(responses.size() == 33);  // 32 relayed 103s, then the 502
        CHECK(responses.back().status == 502);
        CHECK(responses.back().complete);

        auto record = proxy.wait_for_round_trips(1).at(0);
        INFO(show(record));
        CHECK(at(record, "/response/status") == 502);
        CHECK(at(record, "/response/source") == "proxy");
        CHECK(at(record, "/outcome") == "upstream_error");
        CHECK(at(record, "/attempts").size() == 1);
        CHECK(find_error(record, "", "upstream", "interim", "too_large"));
        CHECK(upstream.connections_accepted() == 1);
    }
}
