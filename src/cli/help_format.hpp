#pragma once
// How --help lays out the option table: description, usage, one block per group with value
// names in the left column and descriptions wrapped to 80 columns, defaults at the end
// ("(default: 3s)"), then the footer. Documentation-only options are left out.
#include <string>

#include <CLI/CLI.hpp>

namespace rtproxy::cli {

class HelpFormat : public CLI::Formatter {
public:
    std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override;
};

}  // namespace rtproxy::cli
