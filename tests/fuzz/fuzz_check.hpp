#pragma once
// An invariant that does not hold is a finding: print it and abort so libFuzzer saves the input.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            std::fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                  \
        }                                                                                  \
    } while (false)

namespace rtproxy::fuzz {

// A split point derived from the input itself, so a saved crash reproduces exactly.
inline std::size_t split_point(std::string_view bytes) {
    if (bytes.size() < 2) return 0;
    const auto seed = static_cast<std::size_t>(static_cast<unsigned char>(bytes[0])) * 256u +
                      static_cast<unsigned char>(bytes[bytes.size() - 1]);
    return seed % (bytes.size() + 1);
}

}  // namespace rtproxy::fuzz
