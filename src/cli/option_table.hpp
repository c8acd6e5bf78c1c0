#pragma once
// THE option table: every rtproxy option with its group, value name, default, help text and
// how its text becomes part of a Config. --help, the man page and the shell completions are
// all generated from the CLI11 App built here, so they cannot disagree.
//
// Conventions the generators rely on (see option_docs.hpp): a value name written "a|b|c"
// lists the choices; the value name "FILE" means a path; options in `hidden_group` are for
// producing the documentation and are not part of it.
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/config.hpp"

namespace rtproxy::cli {

inline constexpr const char* hidden_group = "Documentation";

class OptionTable {
public:
    OptionTable();
    OptionTable(const OptionTable&) = delete;
    OptionTable& operator=(const OptionTable&) = delete;

    CLI::App& app() { return app_; }
    const CLI::App& app() const { return app_; }

    // After app().parse(): the options given, converted and checked, on top of Config's
    // defaults. Throws OptionError naming the first bad option in table order.
    Config to_config() const;

private:
    // One option's values as typed (several when repeated or comma separated) -> Config.
    using Apply = std::function<void(const std::string& option, const std::vector<std::string>& values, Config&)>;
    struct Row {
        const CLI::Option* option;
        Apply apply;
    };

    CLI::Option* value(const std::string& name, const std::string& value_name, const std::string& default_text,
                       const std::string& description, Apply apply);
    CLI::Option* list(const std::string& name, const std::string& value_name, const std::string& description,
                      Apply apply);
    CLI::Option* flag(const std::string& name, const std::string& description, bool Config::*field);

    CLI::App app_;
    std::string group_;
    std::vector<Row> rows_;
};

}  // namespace rtproxy::cli
