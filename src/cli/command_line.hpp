#pragma once
#include <iosfwd>
#include <optional>

#include "cli/config.hpp"

namespace rtproxy::cli {

// Either a Config to run with, or an exit code: 0 after --help / --version (printed to
// `out`), 2 after a bad option (one line naming the option printed to `err`).
struct CommandLine {
    std::optional<Config> config;
    int exit_code = 0;
};

CommandLine parse_command_line(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace rtproxy::cli
