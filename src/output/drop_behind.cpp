#include "output/drop_behind.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rtproxy::output {

DropBehind::DropBehind(int fd, std::uint64_t lag, std::uint64_t step) : fd_(fd), lag_(lag), step_(step) {
    struct stat st {};
    enabled_ = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

void DropBehind::wrote(std::size_t bytes) {
    if (!enabled_) return;
    since_advice_ += bytes;
    if (since_advice_ < step_) return;
    since_advice_ = 0;
    // The file's end, not a count of our own bytes: the file may have held an earlier
    // run's lines (--log-file appends) or been truncated under us by a rotation.
    const off_t end = ::lseek(fd_, 0, SEEK_CUR);
    if (end < 0 || static_cast<std::uint64_t>(end) <= lag_) return;
    // From offset 0 every time: pages still dirty at the previous call are clean by now and
    // go this time; ranges already dropped cost little to walk (only cached pages are visited).
    if (::posix_fadvise(fd_, 0, end - static_cast<off_t>(lag_), POSIX_FADV_DONTNEED) != 0) enabled_ = false;
}

}  // namespace rtproxy::output
