#pragma once
// The rtproxy under test as a real process: `--listen 127.0.0.1:0 --format json
// --upstream 127.0.0.1:<port>` plus whatever a test adds. Its JSON lines are collected as
// they arrive; stop() sends SIGTERM and checks the stream ends with `shutdown` and that
// every line is valid against the schema, so every test also tests the contract.
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/child_process.hpp"
#include "harness/socket.hpp"

namespace rtproxy::integration {

struct ProxyOptions {
    std::uint16_t upstream_port = 0;
    std::vector<std::string> args;  // after the defaults, so a test can add to them
    // Read the events from this file instead of stdout (for `-q --log-file F`).
    std::optional<std::filesystem::path> events_file;
    Millis start_timeout{10000};
};

struct StopResult {
    int exit_code = -1;
    std::vector<std::string> lines;  // every event line, in order
    std::string stdout_text;
    std::string stderr_text;
    nlohmann::json shutdown;  // the last line, parsed (null if it was not a shutdown event)
};

class ProxyProcess {
public:
    // Spawns rtproxy and waits (bounded) for its `listening` line. Throws with rtproxy's
    // stderr when it exits or stays silent instead.
    explicit ProxyProcess(std::uint16_t upstream_port, std::vector<std::string> extra_args = {});
    explicit ProxyProcess(ProxyOptions options);
    ~ProxyProcess();
    ProxyProcess(const ProxyProcess&) = delete;
    ProxyProcess& operator=(const ProxyProcess&) = delete;

    // The port rtproxy really listens on (`listen[0].port` of the listening event).
    std::uint16_t port() const { return port_; }
    nlohmann::json listening() const;

    // The round_trip records once at least `n` have arrived, in arrival order. Throws
    // (failing the test with what did arrive) after `timeout`.
    std::vector<nlohmann::json> wait_for_round_trips(std::size_t n, Millis timeout = default_io_timeout);
    std::vector<nlohmann::json> round_trips() const;

    // For runs that end by themselves (--max-rounds): the exit code, or nullopt.
    std::optional<int> wait_for_exit(Millis timeout = default_io_timeout);

    // SIGTERM (unless it already exited), bounded wait (SIGKILL and a failed check after
    // it), then the stream checks. Idempotent: later calls return the first result.
    StopResult stop(Millis timeout = default_io_timeout);

    std::string stderr_text() const;

private:
    void start();
    void read_stdout();
    void read_stderr();
    void tail_events_file();
    void take_line(const std::string& line);
    void quiet_kill();
    std::string describe_locked() const;

    ProxyOptions options_;
    ChildProcess child_;
    std::uint16_t port_ = 0;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
    std::vector<std::string> unparsable_;
    std::optional<nlohmann::json> listening_;
    std::vector<nlohmann::json> round_trips_;
    std::string stdout_text_;
    std::string stderr_text_;
    bool stdout_closed_ = false;
    bool stop_tailing_ = false;

    std::thread stdout_reader_;
    std::thread stderr_reader_;
    std::thread file_tailer_;
    std::optional<StopResult> stopped_;
};

}  // namespace rtproxy::integration
