#pragma once
// "Has the proxy read what I sent it yet?" On loopback a write lands in the peer socket's
// receive queue at once, so that queue going empty means the peer's application read it.
// Tests use this to make the proxy see one read end at an exact byte before the next bytes
// are sent, where nothing the proxy does in between is visible from outside.
#include "harness/socket.hpp"

namespace rtproxy::integration {

// Waits (bounded, polling /proc/net/tcp) until the socket at the other end of `ours`, a
// connected IPv4 loopback socket, has nothing left unread. False on timeout.
bool wait_until_peer_read_all(const Socket& ours, Millis timeout = default_io_timeout);

}  // namespace rtproxy::integration
