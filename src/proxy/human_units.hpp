#pragma once
// Sizes and durations in reasons people read ("body larger than --buffer-body (1 MiB)",
// "no 100 from upstream within 1s"): durations exactly as the options spell them.
#include <chrono>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "cli/units.hpp"

namespace rtproxy::proxy {

inline std::string human_size(std::uint64_t bytes) {
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) return fmt::format("{} MiB", bytes / (1024 * 1024));
    if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{} KiB", bytes / 1024);
    return fmt::format("{} B", bytes);
}

inline std::string human_duration(std::chrono::milliseconds d) { return cli::format_duration(d); }

}  // namespace rtproxy::proxy
