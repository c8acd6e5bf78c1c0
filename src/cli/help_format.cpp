#include "cli/help_format.hpp"

#include <sstream>
#include <vector>

#include "cli/option_table.hpp"

namespace rtproxy::cli {
namespace {

constexpr std::size_t page_width = 80;
constexpr std::size_t name_column = 30;  // where descriptions start

// Greedy word wrap; a word longer than the width gets a line of its own.
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
    std::vector<std::string> lines;
    std::istringstream words(text);
    std::string line;
    for (std::string word; words >> word;) {
        if (!line.empty() && line.size() + 1 + word.size() > width) {
            lines.push_back(line);
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
    }
    if (!line.empty()) lines.push_back(line);
    return lines;
}

std::string option_names(const CLI::Option* option) {
    std::string names = option->get_name(false, true);  // "-q,--quiet"
    std::string out;
    for (char c : names) out += c == ',' ? std::string(", ") : std::string(1, c);
    if (option->get_type_size() != 0) out += " " + option->get_type_name();
    return out;
}

void write_option(std::ostream& out, const CLI::Option* option) {
    const std::string names = "  " + option_names(option);
    std::string text = option->get_description();
    if (!option->get_default_str().empty()) text += " (default: " + option->get_default_str() + ")";
    const std::vector<std::string> lines = wrap(text, page_width - name_column);

    out << names;
    std::size_t column = names.size();
    if (column + 2 > name_column) {
        out << '\n';
        column = 0;
    }
    for (const std::string& line : lines) {
        out << std::string(name_column - column, ' ') << line << '\n';
        column = 0;
    }
    if (lines.empty()) out << '\n';
}

}  // namespace

std::string HelpFormat::make_help(const CLI::App* app, std::string name, CLI::AppFormatMode) const {
    std::ostringstream out;
    for (const std::string& line : wrap(app->get_description(), page_width)) out << line << '\n';
    out << "\nUsage: " << name << " --upstream URL [OPTIONS]\n"
        << "       " << name << " --demo [OPTIONS]\n";

    for (const std::string& group : app->get_groups()) {
        if (group.empty() || group == hidden_group) continue;
        out << '\n' << group << ":\n";
        for (const CLI::Option* option :
             app->get_options([&](const CLI::Option* o) { return o->get_group() == group; }))
            write_option(out, option);
    }

    if (!app->get_footer().empty()) out << '\n' << app->get_footer() << '\n';
    return out.str();
}

}  // namespace rtproxy::cli
