#pragma once
// Canned scripts for ScriptedUpstream: the well-behaved keep-alive origin most tests need.
#include <functional>
#include <string>

#include "harness/scripted_upstream.hpp"

namespace rtproxy::integration {

// How long a keep-alive origin waits for the next request on an idle connection; stop()
// wakes it earlier.
inline constexpr Millis keep_alive_wait{60000};

// Answers every request on the connection with the bytes `responder` returns, until the
// proxy closes the connection.
Script serve(std::function<std::string(const ReceivedRequest&)> responder);

// Answers every request with the same bytes.
Script respond_with(std::string response);

}  // namespace rtproxy::integration
