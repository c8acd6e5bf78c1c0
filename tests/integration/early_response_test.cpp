// An upstream may answer before it has read the whole request body (413 for an upload that
// is too large, 401 before the body is worth reading) and then stop reading. The client
// must get that answer, not a 502 made up by rtproxy (Go's transport does the same).
#include "test_support.hpp"

using namespace rtproxy::integration;

TEST_CASE("an upstream that answers 413 mid-upload and stops reading: the client gets the 413") {
    constexpr std::size_t body_size = 8 * 1024 * 1024;  // far more than the socket buffers hold
    ScriptedUpstream upstream([](UpstreamConnection& c) {
        c.read_head();
        c.read_exact(16 * 1024);  // some of the body, then no more
        c.write(http_response(413, "too large\n", {{"Content-Type", "text/plain"}, {"Connection", "close"}}));
        c.close();
    });
    ProxyProcess proxy(upstream.port());
    TempDir dir;
    const auto file = dir.write("upload.bin", pattern_bytes(body_size, 3));
    auto result = curl({"-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@" + file.string(),
                        url(proxy.port(), "/upload")});
    INFO(result.describe());
    CHECK(result.out == "413");

    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/response/status") == 413);
    CHECK(at(record, "/response/source") == "upstream");
    CHECK(at(record, "/attempts").size() == 1);
    // The failed write is still told: the upstream stopped reading the body.
    CHECK(at(record, "/attempts/0/error/op") == "write");
    CHECK(at(record, "/attempts/0/error/peer") == "upstream");
    CHECK(at(record, "/attempts/0/error/phase") == "request_body");
    CHECK(at(record, "/attempts/0/status") == 413);
    CHECK(at(record, "/attempts/0/request_body_bytes_written").get<std::uint64_t>() < body_size);
    proxy.stop();
}
