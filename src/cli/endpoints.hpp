#pragma once
// --listen and --upstream addresses as typed: "host:port", ":port", "[::1]:port",
// "http(s)://host:port/". Pure functions, no sockets and no name resolution.
#include <string_view>

#include "cli/config.hpp"
#include "cli/units.hpp"

namespace rtproxy::cli {

// "host:port", ":port" (127.0.0.1: listening on every interface has to be asked for by
// writing 0.0.0.0 or [::]), "[v6]:port". Port 0 asks the kernel for an ephemeral port.
Parsed<ListenSpec> parse_listen(std::string_view text);

// "host:port", "http://host:port", "https://host:port", each with an optional trailing "/".
// The port is required even with a scheme: a debugging proxy should not guess 80 vs 8080.
// A path is refused because rtproxy forwards the client's target unchanged.
Parsed<UpstreamSpec> parse_upstream(std::string_view text);

}  // namespace rtproxy::cli
