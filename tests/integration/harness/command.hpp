#pragma once
// Run a program to completion (bounded) and keep what it printed: curl as a client, the
// schema validator, rtproxy for CLI tests that never start a listener.
#include <string>
#include <vector>

#include "harness/socket.hpp"

namespace rtproxy::integration {

struct CommandResult {
    int exit_code = -1;  // 128 + n when killed by signal n
    std::string out;
    std::string err;
    bool timed_out = false;  // killed after the bound

    std::string describe() const;  // for INFO(): exit code and both streams
};

CommandResult run_command(const std::vector<std::string>& argv, Millis timeout = Millis{30000});

// curl with the flags every test wants: bounded (--max-time 20), quiet but showing errors
// (-sS), and never through an *_proxy from the environment.
CommandResult curl(const std::vector<std::string>& args);

// The rtproxy under test, to completion (CLI errors, --version, --demo).
CommandResult run_rtproxy(const std::vector<std::string>& args, Millis timeout = Millis{30000});

const char* rtproxy_binary();

}  // namespace rtproxy::integration
