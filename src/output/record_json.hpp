#pragma once
// Records to the JSON-lines contract (ROUND_TRIP.md, round-trip.schema.json): one line per
// event, "\n"-terminated, "event" first, fields in the documented order, every field present.
#include <chrono>
#include <string>
#include <string_view>

#include "record/events.hpp"
#include "record/round_trip_record.hpp"

namespace rtproxy::output {

std::string to_json_line(const record::RoundTripRecord& record);
// The same line written over `scratch` from its start; the proxy threads render into one
// reused buffer this way, with no allocation. Valid until `scratch` is next written.
std::string_view render_json_line(std::string& scratch, const record::RoundTripRecord& record);
std::string to_json_line(const record::ListeningEvent& event);
std::string to_json_line(const record::ShutdownEvent& event);

// RFC 3339 in UTC with exactly six fractional digits, e.g. "2024-05-01T12:00:00.000123Z".
std::string format_timestamp(std::chrono::system_clock::time_point ts);

}  // namespace rtproxy::output
