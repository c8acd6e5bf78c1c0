// Output::open and the EventRouter behind it: which destination gets which format, the
// log file, drop accounting in the shutdown event, and a stdout that goes away.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <map>
#include <thread>

#include "output/event_router.hpp"
#include "sample_records.hpp"
#include "test_support.hpp"

using rtproxy::output::EventRouter;
using rtproxy::output::Output;
using rtproxy::output::OutputOptions;
using namespace rtproxy::output::test;
using namespace std::chrono_literals;
using Json = nlohmann::json;
using Stdout = OutputOptions::StdoutFormat;

namespace {

OutputOptions options(Stdout format, const std::string& log_file = "", std::size_t max_queued = 65536) {
    OutputOptions o;
    o.stdout_format = format;
    o.log_file = log_file;
    o.max_queued_lines = max_queued;
    return o;
}

std::unique_ptr<EventRouter> router(const OutputOptions& o, int stdout_fd) {
    const int log_fd = o.log_file.empty() ? -1 : rtproxy::output::open_log_file(o.log_file);
    return std::make_unique<EventRouter>(o, stdout_fd, log_fd);
}

}  // namespace

TEST_CASE("a log file that cannot be opened is an error naming the option, the path and the reason") {
    const std::string path = "/nonexistent-rtproxy-dir/x.jsonl";
    try {
        Output::open(options(Stdout::none, path));
        FAIL("no exception");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) == "--log-file " + path + ": No such file or directory");
    }
}

TEST_CASE("Output::open ignores SIGPIPE, so a closed stdout pipe cannot kill the proxy") {
    std::signal(SIGPIPE, SIG_DFL);
    auto output = Output::open(options(Stdout::none));
    CHECK(std::signal(SIGPIPE, SIG_IGN) == SIG_IGN);
    output->close();
}

TEST_CASE("the log file is appended to and gets every event as one JSON line") {
    TempFile log("rtproxy-append");
    { std::ofstream(log.path()) << "earlier run\n"; }
    auto output = Output::open(options(Stdout::none, log.path()));
    output->listening(sample_listening());
    output->round_trip(full_record());
    output->round_trip(proxy_made_400());
    output->shutdown(sample_shutdown());
    output->round_trip(full_record());  // after shutdown: the shutdown line stays the last
    output->shutdown(sample_shutdown());
    output->close();
    output->close();  // idempotent
    output->round_trip(full_record());  // after close: ignored, no crash

    const auto lines = split_lines(log.contents());
    REQUIRE(lines.size() == 5);
    CHECK(lines[0] == "earlier run");
    CHECK(Json::parse(lines[1])["event"] == "listening");
    CHECK(Json::parse(lines[2])["id"] == 12);
    CHECK(Json::parse(lines[3])["id"] == 1);
    CHECK(Json::parse(lines[4])["event"] == "shutdown");
}

TEST_CASE("8 threads x 1000 round trips: every line present, whole, each thread's in order, same on both destinations") {
    TempFile log("rtproxy-concurrent");
    Pipe pipe;
    REQUIRE(pipe.ok());
    std::string from_stdout;
    std::thread reader([&] { from_stdout = pipe.read_to_eof(); });
    {
        auto output = router(options(Stdout::json, log.path()), pipe.write_end());
        output->listening(sample_listening());
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&output, t] {
                auto record = proxy_made_400();
                for (int i = 0; i < 1000; ++i) {
                    record.id = static_cast<std::uint64_t>(t * 1000 + i + 1);
                    record.client.conn_id = static_cast<std::uint64_t>(t);
                    record.request.target = "/" + std::string(static_cast<std::size_t>(i % 200), 'p');
                    output->round_trip(record);
                }
            });
        for (auto& thread : threads) thread.join();
        output->shutdown(sample_shutdown());
        output->close();
        CHECK(output->dropped() == 0);
    }
    pipe.close_write_end();
    reader.join();

    const auto text = log.contents();
    CHECK(from_stdout == text);
    const auto lines = split_lines(text);
    REQUIRE(lines.size() == 8002);
    CHECK(Json::parse(lines.front())["event"] == "listening");
    CHECK(Json::parse(lines.back())["event"] == "shutdown");
    std::map<int, std::uint64_t> last_id;
    for (std::size_t n = 1; n + 1 < lines.size(); ++n) {
        const auto j = Json::parse(lines[n]);  // throws (fails) on a torn or interleaved line
        const auto t = j["client"]["conn_id"].get<int>();
        const auto id = j["id"].get<std::uint64_t>();
        REQUIRE(id > last_id[t]);
        REQUIRE(j["request"]["target"].get<std::string>().size() == 1 + (id - 1) % 1000 % 200);
        last_id[t] = id;
    }
    CHECK(last_id.size() == 8);
}

TEST_CASE("the shutdown event reports the lines dropped while stdout was stalled, and the log file keeps the rest") {
    std::signal(SIGPIPE, SIG_IGN);
    TempFile log("rtproxy-dropped");
    Pipe pipe;  // nobody reads: stdout stalls once the pipe buffer is full
    REQUIRE(pipe.ok());
    auto output = router(options(Stdout::json, log.path(), 4), pipe.write_end());
    auto record = proxy_made_400();
    record.request.headers = {{"X-Big", std::string(100 * 1024, 'b')}};
    for (int i = 0; i < 50; ++i) output->round_trip(record);
    auto event = sample_shutdown();
    event.dropped = 0;  // the caller cannot know; the output overrides it
    output->shutdown(event);
    const auto dropped = output->dropped();
    CHECK(dropped >= 42);
    pipe.close_read_end();  // unblock the stalled writer (EPIPE) so close() can finish
    output->close();

    const auto lines = split_lines(log.contents());
    REQUIRE(!lines.empty());
    const auto shutdown = Json::parse(lines.back());
    CHECK(shutdown["event"] == "shutdown");
    CHECK(shutdown["dropped"] == dropped);
}

TEST_CASE("when stdout goes away the log file still gets every line") {
    std::signal(SIGPIPE, SIG_IGN);
    TempFile log("rtproxy-epipe");
    Pipe pipe;
    REQUIRE(pipe.ok());
    pipe.close_read_end();
    auto output = router(options(Stdout::json, log.path()), pipe.write_end());
    output->listening(sample_listening());
    for (int i = 0; i < 200; ++i) output->round_trip(proxy_made_400());
    output->shutdown(sample_shutdown());
    output->close();
    const auto lines = split_lines(log.contents());
    CHECK(lines.size() == 202);
    CHECK(Json::parse(lines.back())["dropped"] == 0);
}

TEST_CASE("with stdout format none nothing at all is written to stdout") {
    TempFile log("rtproxy-quiet");
    Pipe pipe;
    REQUIRE(pipe.ok());
    auto output = router(options(Stdout::none, log.path()), pipe.write_end());
    output->listening(sample_listening());
    output->round_trip(full_record());
    output->shutdown(sample_shutdown());
    output->close();
    pipe.close_write_end();
    CHECK(pipe.read_to_eof().empty());
    CHECK(split_lines(log.contents()).size() == 3);
}

TEST_CASE("pretty stdout gets the terminal view while the log file gets JSON lines") {
    TempFile log("rtproxy-pretty");
    Pipe pipe;
    REQUIRE(pipe.ok());
    std::string from_stdout;
    std::thread reader([&] { from_stdout = pipe.read_to_eof(); });
    auto output = router(options(Stdout::pretty, log.path()), pipe.write_end());
    output->listening(sample_listening());
    output->round_trip(full_record());
    output->shutdown(sample_shutdown());
    output->close();
    pipe.close_write_end();
    reader.join();

    CHECK(from_stdout.rfind("rtproxy 0.1.0 listening on ", 0) == 0);
    CHECK(from_stdout.find("\n#12 POST /api/users?x=1 → 200 OK") != std::string::npos);
    CHECK(from_stdout.find("rtproxy shut down") != std::string::npos);
    CHECK(from_stdout.find("\x1b[") == std::string::npos);  // color off
    const auto lines = split_lines(log.contents());
    REQUIRE(lines.size() == 3);
    CHECK(Json::parse(lines[1])["event"] == "round_trip");
}
