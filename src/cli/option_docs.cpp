#include "cli/option_docs.hpp"

#include <CLI/CLI.hpp>

#include "cli/option_table.hpp"

namespace rtproxy::cli {
namespace {

std::vector<std::string> split_choices(const std::string& value_name) {
    std::vector<std::string> choices;
    if (value_name.find('|') == std::string::npos) return choices;
    std::size_t start = 0;
    for (std::size_t bar; (bar = value_name.find('|', start)) != std::string::npos; start = bar + 1)
        choices.push_back(value_name.substr(start, bar - start));
    choices.push_back(value_name.substr(start));
    return choices;
}

}  // namespace

std::vector<OptionDoc> documented_options(const CLI::App& app) {
    std::vector<OptionDoc> docs;
    for (const CLI::Option* option : app.get_options()) {
        if (option->get_group() == hidden_group || !option->nonpositional()) continue;
        OptionDoc doc;
        doc.group = option->get_group();
        if (!option->get_lnames().empty()) doc.long_name = "--" + option->get_lnames().front();
        if (!option->get_snames().empty()) doc.short_name = "-" + option->get_snames().front();
        if (option->get_type_size() != 0) doc.value_name = option->get_type_name();
        doc.choices = split_choices(doc.value_name);
        doc.file = doc.value_name == "FILE";
        doc.repeatable = option->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
        doc.default_text = option->get_default_str();
        doc.description = option->get_description();
        docs.push_back(std::move(doc));
    }
    return docs;
}

}  // namespace rtproxy::cli
