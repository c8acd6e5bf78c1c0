#pragma once
// The terminal view for a developer who lives in `curl -v`: one block per round trip with
// the request as received (`> `), what rtproxy changed for upstream, each attempt, each 1xx,
// the response (`< `), errors and the outcome. Every returned string ends in "\n".
#include <string>

#include "record/events.hpp"
#include "record/round_trip_record.hpp"

namespace rtproxy::output {

// color: ANSI escape sequences (the caller decides, usually from isatty). Wire bytes that
// are control characters or invalid UTF-8 are shown as \xNN so a header can never drive
// the terminal.
std::string to_pretty_text(const record::RoundTripRecord& record, bool color);
std::string to_pretty_text(const record::ListeningEvent& event, bool color);
std::string to_pretty_text(const record::ShutdownEvent& event, bool color);

}  // namespace rtproxy::output
