#pragma once
// Where records go. The proxy calls these from its I/O threads, so implementations must
// be thread-safe and must never block on a slow reader (ROUND_TRIP.md "Stream rules").
#include "record/events.hpp"
#include "record/round_trip_record.hpp"

namespace rtproxy::record {

class EventSink {
public:
    virtual ~EventSink() = default;
    virtual void listening(const ListeningEvent& event) = 0;
    virtual void round_trip(const RoundTripRecord& record) = 0;
    virtual void shutdown(const ShutdownEvent& event) = 0;
};

}  // namespace rtproxy::record
