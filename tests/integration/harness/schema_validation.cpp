#include "harness/schema_validation.hpp"

#include "harness/temp_dir.hpp"

namespace rtproxy::integration {

CommandResult validate_json_lines(const std::vector<std::string>& lines) {
    TempDir dir;
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    auto file = dir.write("events.jsonl", text);
    return run_command({"/usr/bin/python3", RTPROXY_VALIDATOR, RTPROXY_SCHEMA, file.string()}, Millis{30000});
}

}  // namespace rtproxy::integration
