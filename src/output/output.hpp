#pragma once
// The sinks behind the proxy: JSON lines (stdout when not a terminal, or --log-file) and
// the pretty terminal view. One writer thread per destination; the proxy threads only
// render and enqueue, so a stalled reader never slows the proxy.
#include <memory>
#include <string>

#include "record/event_sink.hpp"

namespace rtproxy::output {

struct OutputOptions {
    enum class StdoutFormat { json, pretty, none } stdout_format = StdoutFormat::json;
    bool color = false;          // pretty only: ANSI colours (decided by the caller from isatty)
    std::string log_file;        // JSON lines, whatever stdout gets; empty: none
    std::size_t max_queued_lines = 65536;  // per destination; beyond it lines are dropped and counted
};

class Output : public record::EventSink {
public:
    // Throws std::runtime_error naming the file when --log-file cannot be opened.
    static std::unique_ptr<Output> open(const OutputOptions& options);
    // Writes everything queued and stops the writer threads. Called once, after shutdown().
    virtual void close() = 0;
    virtual std::uint64_t dropped() const = 0;
};

}  // namespace rtproxy::output
