#pragma once
// Shell completion scripts for bash, zsh and fish, generated from the option table: option
// names, descriptions, the choices of --format and file names for --log-file.
#include <optional>
#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace rtproxy::cli {

enum class Shell { bash, zsh, fish };

std::optional<Shell> shell_named(std::string_view name);  // "bash", "zsh", "fish"
std::string completion_script(const CLI::App& app, Shell shell);

}  // namespace rtproxy::cli
