#pragma once
// rtproxy(1) in roff, its OPTIONS section generated from the option table.
#include <string>

namespace CLI {
class App;
}

namespace rtproxy::cli {

std::string man_page(const CLI::App& app);

}  // namespace rtproxy::cli
