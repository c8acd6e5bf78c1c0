// AsyncLineWriter: one destination behind a bounded queue and a writer thread.
#include <catch2/catch.hpp>

#include <csignal>
#include <map>
#include <thread>

#include "output/line_writer.hpp"
#include "test_support.hpp"

using rtproxy::output::AsyncLineWriter;
using namespace rtproxy::output::test;
using namespace std::chrono_literals;

TEST_CASE("a queued line reaches the destination promptly, without waiting for a batch to fill") {
    Pipe pipe;
    REQUIRE(pipe.ok());
    AsyncLineWriter writer(pipe.write_end(), false, 64);

    for (std::string line : {"first\n", "second, while the writer gathers a window\n"}) {
        const auto pushed_at = std::chrono::steady_clock::now();
        REQUIRE(writer.push(line));
        // Bounded wait: a writer that waits for more lines never delivers and fails here.
        CHECK(pipe.read_until(line, 2s) == line);
        const auto waited = std::chrono::steady_clock::now() - pushed_at;
        const double waited_ms = std::chrono::duration<double, std::milli>(waited).count();
        if (waited > 50ms) WARN("line took " << waited_ms << " ms (contract: 50 ms)");
    }
    writer.close();
}

TEST_CASE("a line pushed after a window that gathered nothing wakes the idle writer") {
    Pipe pipe;
    REQUIRE(pipe.ok());
    AsyncLineWriter writer(pipe.write_end(), false, 64);
    REQUIRE(writer.push("first\n"));
    REQUIRE(pipe.read_until("first\n", 2s) == "first\n");
    // The writer keeps one more window open after a batch, then waits for a push.
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (!writer.idle() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
    REQUIRE(writer.idle());
    // Only a push wakes it now: if this one did not, the line would never be written.
    REQUIRE(writer.push("second\n"));
    CHECK(pipe.read_until("second\n", 2s) == "second\n");
    writer.close();
}

TEST_CASE("lines pushed from 8 threads arrive whole and each thread's in its order") {
    Pipe pipe;
    REQUIRE(pipe.ok());
    std::string received;
    std::thread reader([&] { received = pipe.read_to_eof(); });
    {
        AsyncLineWriter writer(pipe.write_end(), false, 100000);
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&writer, t] {
                for (int i = 0; i < 1000; ++i)
                    writer.push("t" + std::to_string(t) + " " + std::to_string(i) + " " + std::string(i % 300, 'x') + "\n");
            });
        for (auto& thread : threads) thread.join();
        writer.close();
        CHECK(writer.dropped() == 0);
    }
    pipe.close_write_end();
    reader.join();

    const auto lines = split_lines(received);
    REQUIRE(lines.size() == 8000);
    std::map<int, int> next;
    for (const auto& line : lines) {
        int t = -1, i = -1;
        REQUIRE(std::sscanf(line.c_str(), "t%d %d", &t, &i) == 2);
        // whole: the padding is exactly as long as the sequence number says
        const auto padding = line.substr(line.rfind(' ') + 1);
        REQUIRE(padding == std::string(i % 300, 'x'));
        REQUIRE(i == next[t]);
        next[t] = i + 1;
    }
    CHECK(next.size() == 8);
}

TEST_CASE("when the reader stalls, new lines are dropped and counted instead of blocking the caller") {
    std::signal(SIGPIPE, SIG_IGN);
    Pipe pipe;  // nobody reads it: the writer blocks once the pipe buffer (64 KiB) is full
    REQUIRE(pipe.ok());
    AsyncLineWriter writer(pipe.write_end(), false, 4);
    const std::string big(100 * 1024, 'x');
    int refused = 0;
    for (int i = 0; i < 50; ++i)
        if (!writer.push(big + "\n")) ++refused;
    // The writer holds at most one batch (<= 4 lines) and the queue at most 4 more.
    CHECK(refused >= 42);
    CHECK(writer.dropped() == static_cast<std::uint64_t>(refused));
    // The first and last events of a stream are never dropped.
    CHECK(writer.push("shutdown\n", false));
    // Let the stalled writer finish: the reader going away gives it EPIPE.
    pipe.close_read_end();
    writer.close();
    CHECK(writer.broken());
}

TEST_CASE("a destination that went away (EPIPE) is abandoned silently, without counting drops") {
    std::signal(SIGPIPE, SIG_IGN);
    Pipe pipe;
    REQUIRE(pipe.ok());
    pipe.close_read_end();
    AsyncLineWriter writer(pipe.write_end(), false, 1000);
    for (int i = 0; i < 100; ++i) writer.push("line\n");
    writer.close();
    CHECK(writer.broken());
    CHECK(writer.dropped() == 0);
}

TEST_CASE("close writes everything queued, and a second close does nothing") {
    Pipe pipe;
    REQUIRE(pipe.ok());
    std::string received;
    std::thread reader([&] { received = pipe.read_to_eof(); });
    AsyncLineWriter writer(pipe.write_end(), false, 10000);
    for (int i = 0; i < 5000; ++i) writer.push(std::to_string(i) + "\n");
    writer.close();
    writer.close();
    CHECK_FALSE(writer.push("after close\n"));
    pipe.close_write_end();
    reader.join();
    const auto lines = split_lines(received);
    REQUIRE(lines.size() == 5000);
    CHECK(lines.front() == "0");
    CHECK(lines.back() == "4999");
}
