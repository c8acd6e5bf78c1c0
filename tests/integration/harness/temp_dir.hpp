#pragma once
// A fresh directory per test under $TMPDIR (or /tmp), removed with everything in it.
#include <filesystem>
#include <string>
#include <string_view>

namespace rtproxy::integration {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path file(std::string_view name) const { return path_ / name; }
    std::filesystem::path write(std::string_view name, std::string_view contents) const;

private:
    std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path);

}  // namespace rtproxy::integration
