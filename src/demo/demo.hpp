#pragma once
#include "cli/config.hpp"
#include "record/event_sink.hpp"

namespace rtproxy::demo {

// --demo: an embedded upstream on an ephemeral loopback port, rtproxy in front of it
// (config.listen, port 0 unless given), a few sample requests sent through it, then
// shutdown. Returns the process exit code (0 when every sample got its expected answer).
int run_demo(Config config, record::EventSink& sink);

}  // namespace rtproxy::demo
