// The `round_trip`, `listening` and `shutdown` lines of ROUND_TRIP.md, parsed back with
// nlohmann::ordered_json so field order, presence, types and values are all checked.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <regex>
#include <string>
#include <vector>

#include "output/record_json.hpp"
#include "sample_records.hpp"

using rtproxy::output::format_timestamp;
using rtproxy::output::to_json_line;
using namespace rtproxy::output::test;
using Json = nlohmann::ordered_json;

namespace {

Json parse_line(const std::string& line) {
    REQUIRE(!line.empty());
    REQUIRE(line.back() == '\n');
    REQUIRE(line.find('\n') == line.size() - 1);  // exactly one line
    return Json::parse(line);
}

std::vector<std::string> keys(const Json& object) {
    std::vector<std::string> out;
    for (const auto& item : object.items()) out.push_back(item.key());
    return out;
}

using Keys = std::vector<std::string>;

}  // namespace

TEST_CASE("a fully populated round trip has every field, in the contract's order, with its value") {
    const Json j = parse_line(to_json_line(full_record()));

    CHECK(keys(j) == Keys{"event", "id", "ts", "lossy", "client", "request", "upstream_request", "x_forwarded_proto",
                          "upstream", "body_buffer", "attempts", "interim", "response", "tunnel", "errors", "outcome",
                          "duration_ms", "timings"});
    CHECK(j["event"] == "round_trip");
    CHECK(j["id"] == 12);
    CHECK(j["ts"] == "2024-05-01T12:34:56.123456Z");
    CHECK(j["lossy"] == false);

    CHECK(keys(j["client"]) == Keys{"addr", "port", "conn_id", "conn_seq", "tls"});
    CHECK(j["client"] == Json::parse(R"({"addr":"127.0.0.1","port":51234,"conn_id":3,"conn_seq":2,"tls":true})"));

    const auto& request = j["request"];
    CHECK(keys(request) == Keys{"method", "target", "version", "headers", "body_bytes", "body_framing", "trailers"});
    CHECK(request["method"] == "POST");
    CHECK(request["target"] == "/api/users?x=1");
    CHECK(request["version"] == "HTTP/1.1");
    // wire order, wire case, duplicates kept (HAR style)
    CHECK(request["headers"] == Json::parse(R"([{"name":"Host","value":"localhost:8080"},
        {"name":"Connection","value":"keep-alive"},{"name":"X-Dup","value":"a"},{"name":"x-dup","value":"b"},
        {"name":"Transfer-Encoding","value":"chunked"}])"));
    CHECK(keys(request["headers"][0]) == Keys{"name", "value"});
    CHECK(request["body_bytes"] == 5);
    CHECK(request["body_framing"] == "chunked");
    CHECK(request["trailers"] == Json::parse(R"([{"name":"X-Checksum","value":"abc"}])"));

    const auto& sent = j["upstream_request"];
    CHECK(keys(sent) ==
          Keys{"method", "target", "version", "headers", "body_bytes", "body_framing", "trailers", "changes"});
    CHECK(sent["headers"].size() == 5);
    CHECK(sent["headers"][4] == Json::parse(R"({"name":"X-Forwarded-For","value":"127.0.0.1"})"));
    CHECK(sent["changes"] == Json::parse(R"([
        {"op":"remove","name":"Connection","value":"keep-alive","reason":"hop-by-hop"},
        {"op":"add","name":"X-Forwarded-For","value":"127.0.0.1","reason":"x-forwarded-for"},
        {"op":"replace","name":"Via","value":"1.1 rtproxy","reason":"via"}])"));
    CHECK(keys(sent["changes"][0]) == Keys{"op", "name", "value", "reason"});

    CHECK(j["x_forwarded_proto"] == "https");
    CHECK(keys(j["upstream"]) == Keys{"scheme", "host", "port"});
    CHECK(j["upstream"] == Json::parse(R"({"scheme":"http","host":"127.0.0.1","port":9000})"));
    CHECK(keys(j["body_buffer"]) == Keys{"buffered", "bytes", "limit", "replayable"});
    CHECK(j["body_buffer"] == Json::parse(R"({"buffered":true,"bytes":5,"limit":1048576,"replayable":true})"));

    REQUIRE(j["attempts"].size() == 2);
    const auto& first = j["attempts"][0];
    CHECK(keys(first) == Keys{"n", "backoff_ms", "started_ms", "conn", "timings", "body_source",
                              "request_body_bytes_written", "status", "error", "retry"});
    CHECK(first["n"] == 1);
    CHECK(first["backoff_ms"] == 0.0);
    CHECK(first["started_ms"] == 0.25);
    CHECK(first["conn"] == Json::parse(R"({"reused":false,"local":null,"remote":"127.0.0.1:9000"})"));
    CHECK(keys(first["timings"]) == Keys{"dns_ms", "connect_ms", "tls_ms", "request_written_ms", "first_byte_ms"});
    CHECK(first["timings"] == Json::parse(
                                  R"({"dns_ms":null,"connect_ms":0.5,"tls_ms":null,"request_written_ms":null,"first_byte_ms":null})"));
    CHECK(first["body_source"] == "none");
    CHECK(first["request_body_bytes_written"] == 0);
    CHECK(first["status"].is_null());
    CHECK(keys(first["error"]) == Keys{"op", "peer", "phase", "kind", "message", "bytes", "attempt"});
    CHECK(first["error"] == Json::parse(R"({"op":"connect","peer":"upstream","phase":"connect","kind":"refused",
        "message":"Connection refused","bytes":0,"attempt":1})"));
    CHECK(keys(first["retry"]) == Keys{"decision", "reason"});
    CHECK(first["retry"] == Json::parse(R"({"decision":"retry","reason":"connect refused; request not sent"})"));

    const auto& second = j["attempts"][1];
    CHECK(second["backoff_ms"] == 100.0);
    CHECK(second["conn"] == Json::parse(R"({"reused":true,"local":"127.0.0.1:40000","remote":"127.0.0.1:9000"})"));
    CHECK(second["timings"]["first_byte_ms"] == 2.0);
    CHECK(second["timings"]["request_written_ms"] == 1.5);
    CHECK(second["body_source"] == "buffer");
    CHECK(second["request_body_bytes_written"] == 5);
    CHECK(second["status"] == 200);
    CHECK(second["error"].is_null());
    CHECK(second["retry"]["decision"] == "not_needed");

    REQUIRE(j["interim"].size() == 1);
    CHECK(keys(j["interim"][0]) == Keys{"status", "reason", "headers", "at_ms", "attempt", "forwarded"});
    CHECK(j["interim"][0] == Json::parse(R"({"status":103,"reason":"Early Hints",
        "headers":[{"name":"Link","value":"</s.css>; rel=preload"}],"at_ms":1.25,"attempt":2,"forwarded":true})"));

    const auto& response = j["response"];
    CHECK(keys(response) ==
          Keys{"status", "reason", "version", "headers", "body_bytes", "body_framing", "trailers", "source"});
    CHECK(response["status"] == 200);
    CHECK(response["reason"] == "OK");
    CHECK(response["body_bytes"] == 5120);
    CHECK(response["body_framing"] == "length");
    CHECK(response["trailers"] == Json::array());
    CHECK(response["source"] == "upstream");

    CHECK(keys(j["tunnel"]) == Keys{"protocol", "client_to_upstream_bytes", "upstream_to_client_bytes", "closed_by"});
    CHECK(j["tunnel"] == Json::parse(R"({"protocol":"websocket","client_to_upstream_bytes":10,
        "upstream_to_client_bytes":20,"closed_by":"upstream"})"));
    CHECK(j["errors"] == Json::parse(R"([{"op":"write","peer":"client","phase":"response_body","kind":"reset",
        "message":"Connection reset by peer","bytes":4096,"attempt":null}])"));
    CHECK(j["outcome"] == "client_abort");
    CHECK(j["duration_ms"] == 104.5);
    CHECK(keys(j["timings"]) == Keys{"request_body_ms", "upstream_first_byte_ms", "response_first_byte_ms", "total_ms"});
    CHECK(j["timings"] == Json::parse(
                              R"({"request_body_ms":0.75,"upstream_first_byte_ms":102.0,"response_first_byte_ms":102.5,"total_ms":104.5})"));
}

TEST_CASE("a 400 made by the proxy has null where nothing happened, and every field still present") {
    const Json j = parse_line(to_json_line(proxy_made_400()));

    CHECK(j.size() == 18);
    CHECK(j["upstream_request"].is_null());
    CHECK(j["x_forwarded_proto"].is_null());
    CHECK(j["attempts"] == Json::array());
    CHECK(j["interim"] == Json::array());
    CHECK(j["tunnel"].is_null());
    CHECK(j["client"]["addr"] == "::1");
    CHECK(j["request"]["headers"] == Json::array());
    CHECK(j["request"]["trailers"] == Json::array());
    CHECK(j["request"]["body_framing"] == "none");
    CHECK(j["response"]["status"] == 400);
    CHECK(j["response"]["source"] == "proxy");
    CHECK(j["body_buffer"] == Json::parse(R"({"buffered":false,"bytes":0,"limit":0,"replayable":false})"));
    CHECK(j["errors"][0]["phase"] == "request_head");
    CHECK(j["errors"][0]["attempt"].is_null());
    CHECK(j["outcome"] == "client_error");
    CHECK(j["timings"]["request_body_ms"].is_null());
    CHECK(j["timings"]["upstream_first_byte_ms"].is_null());
    CHECK(j["timings"]["response_first_byte_ms"] == 0.25);
}

TEST_CASE("a round trip with no response at all writes response null") {
    auto record = proxy_made_400();
    record.response.reset();
    record.outcome = rtproxy::record::Outcome::client_abort;
    const Json j = parse_line(to_json_line(record));
    CHECK(j.contains("response"));
    CHECK(j["response"].is_null());
}

TEST_CASE("every outcome, framing and closed_by is spelled as the contract says") {
    using namespace rtproxy::record;
    auto record = full_record();
    const std::pair<Outcome, const char*> outcomes[] = {
        {Outcome::ok, "ok"},           {Outcome::upstream_error, "upstream_error"}, {Outcome::client_abort, "client_abort"},
        {Outcome::client_error, "client_error"}, {Outcome::timeout, "timeout"},     {Outcome::proxy_error, "proxy_error"}};
    for (auto [outcome, name] : outcomes) {
        record.outcome = outcome;
        CHECK(parse_line(to_json_line(record))["outcome"] == name);
    }
    const std::pair<TunnelRecord::ClosedBy, const char*> closers[] = {{TunnelRecord::ClosedBy::client, "client"},
                                                                      {TunnelRecord::ClosedBy::upstream, "upstream"},
                                                                      {TunnelRecord::ClosedBy::timeout, "timeout"},
                                                                      {TunnelRecord::ClosedBy::shutdown, "shutdown"}};
    for (auto [closed_by, name] : closers) {
        record.tunnel->closed_by = closed_by;
        CHECK(parse_line(to_json_line(record))["tunnel"]["closed_by"] == name);
    }
    record.response->body_framing = rtproxy::http::BodyFraming::close;
    record.attempts[1].body_source = BodySource::stream;
    record.attempts[1].retry.decision = RetryDecision::Decision::give_up;
    record.attempts[1].error = ErrorRecord{Op::tls, Peer::upstream, Phase::interim, "tls", "bad", 1, 2};
    const Json j = parse_line(to_json_line(record));
    CHECK(j["response"]["body_framing"] == "close");
    CHECK(j["attempts"][1]["body_source"] == "stream");
    CHECK(j["attempts"][1]["retry"]["decision"] == "give_up");
    CHECK(j["attempts"][1]["error"]["op"] == "tls");
    CHECK(j["attempts"][1]["error"]["phase"] == "interim");
}

TEST_CASE("an invalid byte in a header value becomes U+FFFD and marks the record lossy") {
    auto record = proxy_made_400();
    record.request.headers = {{"X-Latin1", "caf\xE9!"}};
    const auto line = to_json_line(record);
    const Json j = parse_line(line);
    CHECK(j["lossy"] == true);
    CHECK(j["request"]["headers"][0]["value"] == "caf\xEF\xBF\xBD!");
    CHECK(line.find("\"lossy\":true,") != std::string::npos);
}

TEST_CASE("valid multi-byte UTF-8 is kept as is and the record is not lossy") {
    auto record = proxy_made_400();
    const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";  // café € 😀
    record.request.target = "/" + text;
    record.request.headers = {{"X-Text", text}};
    const auto line = to_json_line(record);
    const Json j = parse_line(line);
    CHECK(j["lossy"] == false);
    CHECK(j["request"]["target"] == "/" + text);
    CHECK(j["request"]["headers"][0]["value"] == text);
    CHECK(line.find(text) != std::string::npos);  // raw, not \u-escaped
}

TEST_CASE("each invalid byte becomes its own U+FFFD: truncated, overlong, surrogate, out of range") {
    const std::string fffd = "\xEF\xBF\xBD";
    const std::pair<std::string, std::string> cases[] = {
        {"a\xE2\x82", "a" + fffd + fffd},            // truncated 3-byte sequence
        {"\xC0\xAF", fffd + fffd},                   // overlong '/'
        {"\xED\xA0\x80", fffd + fffd + fffd},        // UTF-16 surrogate U+D800
        {"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},  // above U+10FFFF
        {"\x80x", fffd + "x"},                       // lone continuation byte
        {"\xFF", fffd},
    };
    for (const auto& [raw, expected] : cases) {
        auto record = proxy_made_400();
        record.response->reason = raw;
        const Json j = parse_line(to_json_line(record));
        CHECK(j["lossy"] == true);
        CHECK(j["response"]["reason"] == expected);
    }
}

TEST_CASE("invalid bytes anywhere from the wire make the record lossy") {
    using rtproxy::record::RoundTripRecord;
    const std::vector<void (*)(RoundTripRecord&)> mutations = {
        [](RoundTripRecord& r) { r.request.method = "G\xFF"; },
        [](RoundTripRecord& r) { r.request.target = "/\xFF"; },
        [](RoundTripRecord& r) { r.request.headers[0].name = "X-\xFF"; },
        [](RoundTripRecord& r) { r.request.trailers[0].value = "\xFF"; },
        [](RoundTripRecord& r) { r.upstream_request->changes[0].value = "\xFF"; },
        [](RoundTripRecord& r) { r.interim[0].reason = "\xFF"; },
        [](RoundTripRecord& r) { r.response->headers[1].value = "\xFF"; },
        [](RoundTripRecord& r) { r.errors[0].message = "\xFF"; },
        [](RoundTripRecord& r) { r.attempts[0].error->message = "\xFF"; },
    };
    for (auto mutate : mutations) {
        auto record = full_record();
        CHECK(parse_line(to_json_line(record))["lossy"] == false);
        mutate(record);
        CHECK(parse_line(to_json_line(record))["lossy"] == true);
    }
}

TEST_CASE("control characters are escaped, so a line never holds a raw newline") {
    auto record = proxy_made_400();
    std::string nasty = "a\"b\\c\nd\re\tf";
    nasty += '\0';
    nasty += "\x01\x1f\x7f";
    record.request.target = nasty;
    record.errors[0].message = "line one\nline two";
    const auto line = to_json_line(record);
    CHECK(line.find('\n') == line.size() - 1);
    CHECK(line.find('\r') == std::string::npos);
    CHECK(line.find('\0') == std::string::npos);
    CHECK(line.find(R"("a\"b\\c\nd\re\tf\u0000\u0001\u001f)") != std::string::npos);
    const Json j = parse_line(line);
    CHECK(j["request"]["target"] == nasty);
    CHECK(j["lossy"] == false);  // escaped, not replaced: nothing was lost
}

TEST_CASE("ts is RFC 3339 UTC with exactly six fractional digits") {
    using namespace std::chrono;
    const std::regex rfc3339(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$)");
    const auto epoch = system_clock::time_point{};
    CHECK(format_timestamp(epoch) == "1970-01-01T00:00:00.000000Z");
    CHECK(format_timestamp(epoch + seconds{1714566896} + microseconds{123456}) == "2024-05-01T12:34:56.123456Z");
    CHECK(format_timestamp(epoch + seconds{951782400} + microseconds{7}) == "2000-02-29T00:00:00.000007Z");
    // sub-microsecond parts are cut, never rounded up into the next second
    CHECK(format_timestamp(epoch + seconds{86399} + nanoseconds{999999999}) == "1970-01-01T23:59:59.999999Z");
    CHECK(format_timestamp(epoch - microseconds{1}) == "1969-12-31T23:59:59.999999Z");
    const auto now = format_timestamp(system_clock::now());
    CHECK(std::regex_match(now, rfc3339));
    CHECK(std::regex_match(parse_line(to_json_line(full_record()))["ts"].get<std::string>(), rfc3339));
}

TEST_CASE("ts is right for records within one second and across the next") {
    // The date and time of day are reused while the second is the same: each of these must
    // still come out whole, in any order.
    using namespace std::chrono;
    const auto second = system_clock::time_point{} + seconds{1714566896};
    CHECK(format_timestamp(second + microseconds{123456}) == "2024-05-01T12:34:56.123456Z");
    CHECK(format_timestamp(second + microseconds{999999}) == "2024-05-01T12:34:56.999999Z");
    CHECK(format_timestamp(second + seconds{1}) == "2024-05-01T12:34:57.000000Z");
    CHECK(format_timestamp(second + microseconds{1}) == "2024-05-01T12:34:56.000001Z");
    CHECK(format_timestamp(second + days{1} + microseconds{1}) == "2024-05-02T12:34:56.000001Z");
}

TEST_CASE("durations are JSON floats even when whole, and measurements keep their precision") {
    auto record = proxy_made_400();
    record.duration_ms = 3;
    record.timings.total_ms = 0.001234;
    const auto line = to_json_line(record);
    CHECK(line.find("\"duration_ms\":3.0,") != std::string::npos);
    const Json j = parse_line(line);
    CHECK(j["duration_ms"].is_number_float());
    CHECK(j["timings"]["total_ms"] == 0.001234);
}

TEST_CASE("the listening event names the schema, listeners, upstream, admin and pid") {
    auto event = sample_listening();
    Json j = parse_line(to_json_line(event));
    CHECK(keys(j) == Keys{"event", "schema", "version", "listen", "upstream", "admin", "pid"});
    CHECK(j["event"] == "listening");
    CHECK(j["schema"] == 1);
    CHECK(j["version"] == "0.1.0");
    CHECK(j["listen"] == Json::parse(R"([{"addr":"127.0.0.1","port":8080,"tls":false},{"addr":"::1","port":8443,"tls":true}])"));
    CHECK(keys(j["listen"][0]) == Keys{"addr", "port", "tls"});
    CHECK(j["upstream"] == Json::parse(R"({"scheme":"http","host":"127.0.0.1","port":9000})"));
    CHECK(j.contains("admin"));
    CHECK(j["admin"].is_null());
    CHECK(j["pid"] == 4242);

    event.admin = "127.0.0.1:9901";
    CHECK(parse_line(to_json_line(event))["admin"] == "127.0.0.1:9901");
}

TEST_CASE("the shutdown event carries reason, rounds, error counts by op, dropped and uptime") {
    const Json j = parse_line(to_json_line(sample_shutdown()));
    CHECK(keys(j) == Keys{"event", "reason", "rounds", "errors", "dropped", "uptime_ms"});
    CHECK(j["event"] == "shutdown");
    CHECK(j["reason"] == "signal SIGINT");
    CHECK(j["rounds"] == 3);
    CHECK(j["errors"] == Json::parse(R"({"connect":2,"read":1})"));
    CHECK(j["dropped"] == 0);
    CHECK(j["uptime_ms"] == 1500.25);

    rtproxy::record::ShutdownEvent quiet{"--max-rounds reached", 0, {}, 7, 2};
    const Json q = parse_line(to_json_line(quiet));
    CHECK(q["errors"] == Json::object());
    CHECK(q["dropped"] == 7);
    CHECK(q["uptime_ms"].is_number_float());
}

TEST_CASE("a reused scratch buffer renders each record exactly as to_json_line does") {
    std::string scratch;
    auto big = full_record();
    big.request.target = std::string(10'000, 'x');  // grows the scratch past one record
    const auto small = proxy_made_400();
    CHECK(rtproxy::output::render_json_line(scratch, big) == to_json_line(big));
    const auto grown = scratch.size();
    CHECK(rtproxy::output::render_json_line(scratch, small) == to_json_line(small));
    CHECK(scratch.size() == grown);  // kept, not cut back: no zero-fill on the next record
    CHECK(rtproxy::output::render_json_line(scratch, big) == to_json_line(big));
}
