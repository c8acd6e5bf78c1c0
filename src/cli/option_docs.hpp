#pragma once
// The option table as the documentation generators see it: one entry per documented option,
// in table order, read from the CLI11 App so the man page and completions cannot drift from
// what the parser accepts.
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace rtproxy::cli {

struct OptionDoc {
    std::string group;                 // "Proxy", "Timeouts", ...
    std::string long_name;             // "--connect-timeout"
    std::string short_name;            // "-q", or empty
    std::string value_name;            // "DURATION"; empty for a flag
    std::vector<std::string> choices;  // from a value name "auto|json|pretty"
    bool file = false;                 // the value is a path (value name "FILE")
    bool repeatable = false;           // may be given more than once, each adding values
    std::string default_text;          // empty: no default worth showing
    std::string description;
};

std::vector<OptionDoc> documented_options(const CLI::App& app);

}  // namespace rtproxy::cli
