#pragma once
// Blocking writes for the demo's own raw-socket peers (the 1xx upstream and the sample
// client), which speak to rtproxy byte for byte where cpp-httplib cannot.
#include <string_view>

namespace rtproxy::demo {

// Sends all of `bytes` on socket `fd`, retrying short writes and EINTR; false when the
// peer is gone (no SIGPIPE).
bool send_all(int fd, std::string_view bytes);

}  // namespace rtproxy::demo
