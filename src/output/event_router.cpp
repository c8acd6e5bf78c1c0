#include "output/event_router.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include "output/pretty.hpp"
#include "output/record_json.hpp"

namespace rtproxy::output {

int open_log_file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_CREAT | O_APPEND | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("--log-file " + path + ": " + std::strerror(errno));
    return fd;
}

std::unique_ptr<Output> Output::open(const OutputOptions& options) {
    // A reader that goes away (`rtproxy | head`) must give EPIPE on write(2), which the
    // writer handles, instead of killing the proxy with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    const int log_fd = options.log_file.empty() ? -1 : open_log_file(options.log_file);
    return std::make_unique<EventRouter>(options, STDOUT_FILENO, log_fd);
}

EventRouter::EventRouter(const OutputOptions& options, int stdout_fd, int log_fd)
    : options_(options),
      json_to_stdout_(options.stdout_format == OutputOptions::StdoutFormat::json),
      pretty_to_stdout_(options.stdout_format == OutputOptions::StdoutFormat::pretty) {
    if (json_to_stdout_ || pretty_to_stdout_)
        stdout_writer_ = std::make_unique<AsyncLineWriter>(stdout_fd, false, options.max_queued_lines);
    if (log_fd >= 0) log_writer_ = std::make_unique<AsyncLineWriter>(log_fd, true, options.max_queued_lines);
}

EventRouter::~EventRouter() { close(); }

template <class Event>
EventRouter::Rendered EventRouter::render(const Event& event) const {
    Rendered rendered;
    if (json_to_stdout_ || log_writer_) rendered.json = to_json_line(event);
    if (pretty_to_stdout_) rendered.pretty = to_pretty_text(event, options_.color);
    return rendered;
}

void EventRouter::publish(std::string_view json, std::string_view pretty, bool bounded, bool last) {
    std::lock_guard lock(publish_mutex_);
    if (closed_ || shut_down_) return;
    shut_down_ = last;
    if (stdout_writer_) stdout_writer_->push(pretty_to_stdout_ ? pretty : json, bounded);
    if (log_writer_) log_writer_->push(json, bounded);
}

void EventRouter::listening(const record::ListeningEvent& event) {
    const auto rendered = render(event);
    publish(rendered.json, rendered.pretty, false);
}

void EventRouter::round_trip(const record::RoundTripRecord& record) {
    if (!json_to_stdout_ && !pretty_to_stdout_ && !log_writer_) return;  // -q without --log-file
    // JSON is rendered into a per-thread buffer that keeps its capacity: no allocation on
    // the proxy's per-request path.
    thread_local std::string scratch;
    std::string_view json;
    if (json_to_stdout_ || log_writer_) json = render_json_line(scratch, record);
    const std::string pretty = pretty_to_stdout_ ? to_pretty_text(record, options_.color) : std::string();
    publish(json, pretty, true);
}

void EventRouter::shutdown(const record::ShutdownEvent& event) {
    // The output is the one that drops lines, so it is the one that knows how many.
    auto final_event = event;
    final_event.dropped = dropped();
    const auto rendered = render(final_event);
    publish(rendered.json, rendered.pretty, false, true);
}

void EventRouter::close() {
    {
        std::lock_guard lock(publish_mutex_);
        if (closed_) return;
        closed_ = true;
    }
    if (stdout_writer_) stdout_writer_->close();
    if (log_writer_) log_writer_->close();
}

std::uint64_t EventRouter::dropped() const {
    return (stdout_writer_ ? stdout_writer_->dropped() : 0) + (log_writer_ ? log_writer_->dropped() : 0);
}

}  // namespace rtproxy::output
