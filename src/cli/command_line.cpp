#include "cli/command_line.hpp"

#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/completions.hpp"
#include "cli/man_page.hpp"
#include "cli/option_error.hpp"
#include "cli/option_table.hpp"

namespace rtproxy::cli {
namespace {

constexpr int bad_option = 2;

// CLI11's own messages, made to fit the one-line rule and our wording.
std::string describe(const CLI::ParseError& error) {
    std::string message = error.what();
    for (char& c : message)
        if (c == '\n' || c == '\r') c = ' ';
    // "--format: 1 required auto|json|pretty missing"
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr) {
        const auto colon = message.find(": ");
        const auto required = message.find(" required ");
        const std::string missing = " missing";
        if (colon != std::string::npos && required != std::string::npos && message.size() > missing.size() &&
            message.compare(message.size() - missing.size(), missing.size(), missing) == 0) {
            const auto type_start = required + std::string(" required ").size();
            return message.substr(0, colon) + ": needs a value (" +
                   message.substr(type_start, message.size() - missing.size() - type_start) + ")";
        }
    }
    return message;
}

// What CLI11 could not match: the first one is reported, as an unknown option or as an
// argument rtproxy has no use for.
std::string describe_extra(const std::string& argument) {
    if (argument.size() > 1 && argument.front() == '-')
        return argument.substr(0, argument.find('=')) + ": unknown option (see --help)";
    return OptionError::quote(argument) + ": unexpected argument; rtproxy takes only options (see --help)";
}

CommandLine exit_with(int code) { return CommandLine{std::nullopt, code}; }

// --print-man and --print-completion: the documentation generated from the same table.
std::optional<CommandLine> print_documentation(const CLI::App& app, std::ostream& out) {
    if (app.get_option("--print-man")->count() > 0) {
        out << man_page(app);
        return exit_with(0);
    }
    const CLI::Option* completion = app.get_option("--print-completion");
    if (completion->count() > 0) {
        const std::string name = completion->results().back();
        const auto shell = shell_named(name);
        if (!shell) throw OptionError("--print-completion", name, "is not one of bash, zsh, fish");
        out << completion_script(app, *shell);
        return exit_with(0);
    }
    return std::nullopt;
}

}  // namespace

CommandLine parse_command_line(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    OptionTable table;
    CLI::App& app = table.app();
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        out << app.help();
        return exit_with(0);
    } catch (const CLI::CallForVersion& version) {
        out << version.what() << '\n';
        return exit_with(0);
    } catch (const CLI::ParseError& error) {
        err << "rtproxy: " << describe(error) << '\n';
        return exit_with(bad_option);
    }

    for (const std::string& extra : app.remaining()) {
        if (extra == "--") continue;  // the conventional end of options, with nothing after it
        err << "rtproxy: " << describe_extra(extra) << '\n';
        return exit_with(bad_option);
    }

    try {
        if (auto printed = print_documentation(app, out)) return *printed;
        return CommandLine{table.to_config(), 0};
    } catch (const OptionError& error) {
        err << "rtproxy: " << error.what() << '\n';
        return exit_with(bad_option);
    }
}

}  // namespace rtproxy::cli
