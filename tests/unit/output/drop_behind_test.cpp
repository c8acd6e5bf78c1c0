// DropBehind: a log file that only grows does not keep all of itself in the page cache.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "output/drop_behind.hpp"
#include "output/line_writer.hpp"
#include "test_support.hpp"

using rtproxy::output::AsyncLineWriter;
using rtproxy::output::DropBehind;
using namespace rtproxy::output::test;

namespace {

constexpr std::size_t mib = 1u << 20;

// Which of the file's first `bytes` are in the page cache, one flag per page (mincore(2)
// on a mapping, which does not fault anything in).
std::vector<bool> resident_pages(int fd, std::size_t bytes) {
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    void* map = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
    REQUIRE(map != MAP_FAILED);
    std::vector<unsigned char> flags((bytes + page - 1) / page);
    const int rc = ::mincore(map, bytes, flags.data());
    ::munmap(map, bytes);
    REQUIRE(rc == 0);
    std::vector<bool> resident;
    for (auto f : flags) resident.push_back(f & 1);
    return resident;
}

double resident_share(const std::vector<bool>& pages, std::size_t from, std::size_t to) {
    std::size_t n = 0;
    for (std::size_t i = from; i < to; ++i) n += pages[i];
    return static_cast<double>(n) / static_cast<double>(to - from);
}

bool on_tmpfs(int fd) {
    struct statfs fs {};
    return ::fstatfs(fd, &fs) == 0 && fs.f_type == TMPFS_MAGIC;
}

}  // namespace

TEST_CASE("drop-behind is off for pipes and /dev/null, on for regular files") {
    Pipe pipe;
    REQUIRE(pipe.ok());
    CHECK_FALSE(DropBehind(pipe.write_end()).enabled());

    const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    REQUIRE(null_fd >= 0);
    CHECK_FALSE(DropBehind(null_fd).enabled());
    ::close(null_fd);

    TempFile file("drop-behind-enabled");
    const int fd = ::open(file.path().c_str(), O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    CHECK(DropBehind(fd).enabled());
    ::close(fd);
}

TEST_CASE("drop-behind drops written pages more than `lag` behind the end, and keeps the rest") {
    TempFile file("drop-behind-pages");
    const int fd = ::open(file.path().c_str(), O_CREAT | O_RDWR | O_APPEND | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    const std::string chunk(mib, 'x');
    for (int i = 0; i < 4; ++i) REQUIRE(::write(fd, chunk.data(), chunk.size()) == static_cast<ssize_t>(mib));
    // Clean pages are dropped at once; dirty ones only after their writeback, which a test
    // cannot wait for without this.
    REQUIRE(::fdatasync(fd) == 0);
    const auto before = resident_pages(fd, 4 * mib);

    DropBehind drop(fd, /*lag=*/mib, /*step=*/2 * mib);
    REQUIRE(drop.enabled());
    drop.wrote(mib);  // below one step: no advice yet
    const auto after_small_write = resident_pages(fd, 4 * mib);
    drop.wrote(mib);  // a step: everything but the newest MiB may go
    const auto after_step = resident_pages(fd, 4 * mib);
    const bool tmpfs = on_tmpfs(fd);
    ::close(fd);

    if (tmpfs || resident_share(before, 0, before.size()) < 0.9) {
        WARN("page cache did not hold the freshly written file (tmpfs or memory pressure); residency not checked");
        return;
    }
    const std::size_t pages_per_mib = before.size() / 4;
    CHECK(resident_share(after_small_write, 0, after_small_write.size()) > 0.9);
    CHECK(resident_share(after_step, 0, 3 * pages_per_mib) < 0.1);
    CHECK(resident_share(after_step, 3 * pages_per_mib, after_step.size()) > 0.9);
}

TEST_CASE("a log file written past the drop-behind lag keeps every line, in order") {
    TempFile file("drop-behind-lines");
    const int fd = ::open(file.path().c_str(), O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    // 48 MiB: past the 32 MiB lag, so the writer gives advice (several times, 8 MiB apart)
    // while it still writes.
    const std::string padding(1000, 'p');
    const int count = 48 * 1024;
    {
        AsyncLineWriter writer(fd, true, static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) REQUIRE(writer.push(std::to_string(i) + " " + padding + "\n"));
        writer.close();
    }
    const auto lines = split_lines(file.contents());
    REQUIRE(lines.size() == static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        const auto& line = lines[static_cast<std::size_t>(i)];
        REQUIRE(line == std::to_string(i) + " " + padding);
    }
}
