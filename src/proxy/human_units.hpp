#pragma once
// Sizes and durations the way the options spell them, for reasons people read
// ("body larger than --buffer-body (1 MiB)", "retrying in 200 ms").
#include <chrono>
#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace rtproxy::proxy {

inline std::string human_size(std::uint64_t bytes) {
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) return fmt::format("{} MiB", bytes / (1024 * 1024));
    if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{} KiB", bytes / 1024);
    return fmt::format("{} B", bytes);
}

inline std::string human_duration(std::chrono::milliseconds d) {
    const auto ms = d.count();
    if (ms >= 1000 && ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
    if (ms >= 1000) return fmt::format("{:.1f}s", static_cast<double>(ms) / 1000.0);
    return fmt::format("{} ms", ms);
}

}  // namespace rtproxy::proxy
