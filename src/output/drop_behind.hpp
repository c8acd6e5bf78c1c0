#pragma once
// Keeps a log file that only ever grows from filling the page cache. rtproxy writes ~2 KB
// of JSON per request, hundreds of MB a minute under load, and never reads it back; the
// kernel would keep all of it cached until memory runs short, evicting everything else.
// Every `step` bytes this asks the kernel to drop the file's pages that are more than `lag`
// bytes behind its end (POSIX_FADV_DONTNEED): dirty ones get their writeback started and
// are dropped by a later call once clean, so nothing is lost and nothing waits. The newest
// `lag` bytes stay cached for `tail -f` and friends.
#include <cstddef>
#include <cstdint>

namespace rtproxy::output {

class DropBehind {
public:
    static constexpr std::uint64_t default_lag = 32u << 20;
    static constexpr std::uint64_t default_step = 8u << 20;

    // Does nothing unless `fd` is a regular file: a pipe, a terminal or /dev/null has no
    // page cache to spare.
    explicit DropBehind(int fd, std::uint64_t lag = default_lag, std::uint64_t step = default_step);

    // Call after every successful write(2) of `bytes` to the descriptor.
    void wrote(std::size_t bytes);

    bool enabled() const { return enabled_; }

private:
    int fd_;
    std::uint64_t lag_;
    std::uint64_t step_;
    bool enabled_ = false;
    std::uint64_t since_advice_ = 0;
};

}  // namespace rtproxy::output
