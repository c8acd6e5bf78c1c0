#include "harness/proxy_process.hpp"

#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <exception>
#include <fstream>

#include "harness/command.hpp"
#include "harness/schema_validation.hpp"

namespace rtproxy::integration {

namespace {

std::vector<std::string> command_line(const ProxyOptions& options) {
    std::vector<std::string> argv{rtproxy_binary(), "--listen", "127.0.0.1:0", "--format", "json"};
    if (options.upstream_port != 0) {
        argv.push_back("--upstream");
        argv.push_back("127.0.0.1:" + std::to_string(options.upstream_port));
    }
    argv.insert(argv.end(), options.args.begin(), options.args.end());
    return argv;
}

// Reads `fd` to EOF, handing each chunk to `sink`.
template <class Sink>
void drain(int fd, Sink sink) {
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            sink(std::string_view(buf, static_cast<std::size_t>(n)));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return;
        }
    }
}

}  // namespace

ProxyProcess::ProxyProcess(std::uint16_t upstream_port, std::vector<std::string> extra_args)
    : ProxyProcess(ProxyOptions{upstream_port, std::move(extra_args), std::nullopt, Millis{10000}}) {}

ProxyProcess::ProxyProcess(ProxyOptions options)
    : options_(std::move(options)), child_(ChildProcess::spawn(command_line(options_))) {
    stdout_reader_ = std::thread([this] { read_stdout(); });
    stderr_reader_ = std::thread([this] { read_stderr(); });
    if (options_.events_file) file_tailer_ = std::thread([this] { tail_events_file(); });
    try {
        start();
    } catch (...) {
        quiet_kill();
        throw;
    }
}

ProxyProcess::~ProxyProcess() {
    if (stopped_) return;
    // While a failed REQUIRE unwinds, more assertions would only add noise.
    if (std::uncaught_exceptions() > 0)
        quiet_kill();
    else
        stop();
}

void ProxyProcess::start() {
    std::unique_lock lock(mutex_);
    bool ready = changed_.wait_for(lock, options_.start_timeout, [&] {
        return listening_.has_value() || stdout_closed_;
    });
    if (!listening_) {
        throw std::runtime_error(std::string(ready ? "rtproxy exited" : "rtproxy did not print") +
                                 " its listening line within " + std::to_string(options_.start_timeout.count()) +
                                 " ms\n" + describe_locked());
    }
    try {
        port_ = (*listening_).at("listen").at(0).at("port").get<std::uint16_t>();
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("listening event without listen[0].port: ") + e.what() + "\n" +
                                 listening_->dump());
    }
}

void ProxyProcess::read_stdout() {
    std::string partial;
    drain(child_.stdout_fd(), [&](std::string_view chunk) {
        {
            std::lock_guard lock(mutex_);
            stdout_text_.append(chunk);
        }
        if (options_.events_file) return;
        partial.append(chunk);
        for (auto eol = partial.find('\n'); eol != std::string::npos; eol = partial.find('\n')) {
            take_line(partial.substr(0, eol));
            partial.erase(0, eol + 1);
        }
    });
    if (!partial.empty() && !options_.events_file) take_line(partial);  // a last line without \n is a bug the schema check will show
    std::lock_guard lock(mutex_);
    stdout_closed_ = true;
    changed_.notify_all();
}

void ProxyProcess::read_stderr() {
    drain(child_.stderr_fd(), [&](std::string_view chunk) {
        std::lock_guard lock(mutex_);
        stderr_text_.append(chunk);
    });
}

void ProxyProcess::tail_events_file() {
    // A regular file gives no "more data" notification, so this re-reads it on a short
    // period; the bounded waits that matter are the callers'.
    std::ifstream in;
    std::string partial;
    for (;;) {
        bool finishing = false;
        {
            std::unique_lock lock(mutex_);
            finishing = stop_tailing_;
        }
        if (!in.is_open()) in.open(*options_.events_file, std::ios::binary);
        bool got = false;
        if (in.is_open()) {
            in.clear();
            char buf[65536];
            while (in.read(buf, sizeof buf), in.gcount() > 0) {
                partial.append(buf, static_cast<std::size_t>(in.gcount()));
                got = true;
            }
            for (auto eol = partial.find('\n'); eol != std::string::npos; eol = partial.find('\n')) {
                take_line(partial.substr(0, eol));
                partial.erase(0, eol + 1);
            }
        }
        if (finishing) {
            if (!partial.empty()) take_line(partial);
            return;
        }
        if (!got) {
            std::unique_lock lock(mutex_);
            changed_.wait_for(lock, Millis{10}, [&] { return stop_tailing_; });
        }
    }
}

void ProxyProcess::take_line(const std::string& line) {
    auto event = nlohmann::json::parse(line, nullptr, false);
    std::lock_guard lock(mutex_);
    lines_.push_back(line);
    if (event.is_discarded() || !event.is_object()) {
        unparsable_.push_back(line);
    } else if (event.value("event", "") == "listening" && !listening_) {
        listening_ = event;
    } else if (event.value("event", "") == "round_trip") {
        round_trips_.push_back(std::move(event));
    }
    changed_.notify_all();
}

nlohmann::json ProxyProcess::listening() const {
    std::lock_guard lock(mutex_);
    return listening_.value_or(nlohmann::json{});
}

std::vector<nlohmann::json> ProxyProcess::wait_for_round_trips(std::size_t n, Millis timeout) {
    std::unique_lock lock(mutex_);
    bool arrived = changed_.wait_for(lock, timeout, [&] { return round_trips_.size() >= n; });
    if (!arrived)
        throw std::runtime_error("expected " + std::to_string(n) + " round_trip records within " +
                                 std::to_string(timeout.count()) + " ms, got " + std::to_string(round_trips_.size()) +
                                 "\n" + describe_locked());
    return round_trips_;
}

std::vector<nlohmann::json> ProxyProcess::round_trips() const {
    std::lock_guard lock(mutex_);
    return round_trips_;
}

std::optional<int> ProxyProcess::wait_for_exit(Millis timeout) { return child_.wait_for_exit(timeout); }

std::string ProxyProcess::stderr_text() const {
    std::lock_guard lock(mutex_);
    return stderr_text_;
}

std::string ProxyProcess::describe_locked() const {
    std::string out = "--- rtproxy stdout/events (" + std::to_string(lines_.size()) + " lines) ---\n";
    for (const auto& line : lines_) out += line.substr(0, 2000) + "\n";
    out += "--- rtproxy stderr ---\n" + stderr_text_;
    return out;
}

void ProxyProcess::quiet_kill() {
    child_.kill();
    {
        std::lock_guard lock(mutex_);
        stop_tailing_ = true;
        changed_.notify_all();
    }
    if (stdout_reader_.joinable()) stdout_reader_.join();
    if (stderr_reader_.joinable()) stderr_reader_.join();
    if (file_tailer_.joinable()) file_tailer_.join();
    StopResult result;
    result.exit_code = child_.wait_for_exit(Millis{0}).value_or(-1);
    stopped_ = result;
}

StopResult ProxyProcess::stop(Millis timeout) {
    if (stopped_) return *stopped_;
    bool killed = false;
    if (child_.running()) {
        child_.send_signal(SIGTERM);
        if (!child_.wait_for_exit(timeout)) {
            killed = true;
            child_.kill();
        }
    }
    if (stdout_reader_.joinable()) stdout_reader_.join();
    if (stderr_reader_.joinable()) stderr_reader_.join();
    {
        std::lock_guard lock(mutex_);
        stop_tailing_ = true;
        changed_.notify_all();
    }
    if (file_tailer_.joinable()) file_tailer_.join();

    StopResult result;
    result.exit_code = child_.wait_for_exit(Millis{0}).value_or(-1);
    std::string description;
    std::vector<std::string> unparsable;
    {
        std::lock_guard lock(mutex_);
        result.lines = lines_;
        result.stdout_text = stdout_text_;
        result.stderr_text = stderr_text_;
        unparsable = unparsable_;
        description = describe_locked();
    }
    if (!result.lines.empty()) {
        auto last = nlohmann::json::parse(result.lines.back(), nullptr, false);
        if (last.is_object() && last.value("event", "") == "shutdown") result.shutdown = last;
    }
    stopped_ = result;

    INFO(description);
    CHECK_FALSE(killed);  // rtproxy did not exit within the bound after SIGTERM
    CHECK(unparsable.empty());
    CHECK(result.shutdown.is_object());  // the last line must be the shutdown event
    // A clean stop exits 0; under the asan preset a sanitizer report makes this fail too.
    CHECK(result.exit_code == 0);
    CHECK(result.stderr_text.find("Sanitizer") == std::string::npos);
    CHECK(result.stderr_text.find("runtime error:") == std::string::npos);
    auto validation = validate_json_lines(result.lines);
    INFO("--- schema validator ---\n" + validation.describe());
    CHECK(validation.exit_code == 0);
    return result;
}

}  // namespace rtproxy::integration
