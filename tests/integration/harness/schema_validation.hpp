#pragma once
// Checks JSON lines against tests/schema/round-trip.schema.json with the project's
// validator script (python3 + jsonschema), the same check CI and users can run.
#include <string>
#include <vector>

#include "harness/command.hpp"

namespace rtproxy::integration {

// Exit code 0 when every line is valid; the validator's output says which line is not.
CommandResult validate_json_lines(const std::vector<std::string>& lines);

}  // namespace rtproxy::integration
