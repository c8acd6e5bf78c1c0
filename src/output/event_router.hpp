#pragma once
// The Output behind Output::open: renders each event once per format on the calling (proxy)
// thread and hands the lines to one AsyncLineWriter per destination.
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "output/line_writer.hpp"
#include "output/output.hpp"

namespace rtproxy::output {

class EventRouter final : public Output {
public:
    // `stdout_fd` is 1 in the product; tests pass a pipe. `log_fd` is -1 for no log file,
    // otherwise an open descriptor the router takes over.
    EventRouter(const OutputOptions& options, int stdout_fd, int log_fd);
    ~EventRouter() override;

    void listening(const record::ListeningEvent& event) override;
    void round_trip(const record::RoundTripRecord& record) override;
    void shutdown(const record::ShutdownEvent& event) override;
    void close() override;
    std::uint64_t dropped() const override;

private:
    struct Rendered {
        std::string json;    // empty when no destination takes JSON
        std::string pretty;  // empty when stdout is not pretty
    };
    template <class Event>
    Rendered render(const Event& event) const;
    // `last`: the shutdown event; nothing is published after it, so it stays the last line.
    // Hands each destination its form: stdout the pretty text or the JSON, the log the JSON.
    void publish(std::string_view json, std::string_view pretty, bool bounded, bool last = false);

    OutputOptions options_;
    bool json_to_stdout_;
    bool pretty_to_stdout_;
    std::unique_ptr<AsyncLineWriter> stdout_writer_;
    std::unique_ptr<AsyncLineWriter> log_writer_;
    // Held while a record is queued to every destination, so stdout and the log file see
    // the same order even when two proxy threads finish round trips at the same moment.
    std::mutex publish_mutex_;
    bool closed_ = false;
    bool shut_down_ = false;
};

// Opens the log file for appending; throws std::runtime_error("--log-file <path>: <reason>").
int open_log_file(const std::string& path);

}  // namespace rtproxy::output
