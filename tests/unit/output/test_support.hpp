#pragma once
// Files and pipes for the writer tests. Everything is closed/removed by destructors so a
// failing REQUIRE leaves nothing behind.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace rtproxy::output::test {

class TempFile {
public:
    explicit TempFile(const std::string& stem) {
        std::random_device random;
        path_ = std::filesystem::temp_directory_path() /
                (stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(random()) + ".jsonl");
    }
    ~TempFile() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    std::string path() const { return path_.string(); }
    std::string contents() const {
        std::ifstream in(path_, std::ios::binary);
        std::ostringstream out;
        out << in.rdbuf();
        return out.str();
    }

private:
    std::filesystem::path path_;
};

inline std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) {
            lines.push_back(text.substr(start));  // unterminated: kept so a test can see it
            break;
        }
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

class Pipe {
public:
    Pipe() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) == 0) {
            read_end_ = fds[0];
            write_end_ = fds[1];
        }
    }
    ~Pipe() {
        close_read_end();
        close_write_end();
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;

    bool ok() const { return read_end_ >= 0 && write_end_ >= 0; }
    int read_end() const { return read_end_; }
    int write_end() const { return write_end_; }
    void close_read_end() {
        if (read_end_ >= 0) ::close(read_end_);
        read_end_ = -1;
    }
    void close_write_end() {
        if (write_end_ >= 0) ::close(write_end_);
        write_end_ = -1;
    }

    // Reads what arrives until `text` ends with `suffix` or `timeout` passes (bounded).
    std::string read_until(const std::string& suffix, std::chrono::milliseconds timeout) {
        std::string text;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (text.size() < suffix.size() || text.compare(text.size() - suffix.size(), suffix.size(), suffix) != 0) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            pollfd pfd{read_end_, POLLIN, 0};
            if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) break;
            char buffer[65536];
            const auto n = ::read(read_end_, buffer, sizeof buffer);
            if (n <= 0) break;
            text.append(buffer, static_cast<std::size_t>(n));
        }
        return text;
    }

    // Everything until the write end is closed by everyone (EOF).
    std::string read_to_eof() {
        std::string text;
        char buffer[65536];
        for (;;) {
            const auto n = ::read(read_end_, buffer, sizeof buffer);
            if (n <= 0) break;
            text.append(buffer, static_cast<std::size_t>(n));
        }
        return text;
    }

    // Whatever is already in the pipe, without waiting.
    std::string read_available() {
        std::string text;
        for (;;) {
            pollfd pfd{read_end_, POLLIN, 0};
            if (::poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLIN)) break;
            char buffer[65536];
            const auto n = ::read(read_end_, buffer, sizeof buffer);
            if (n <= 0) break;
            text.append(buffer, static_cast<std::size_t>(n));
        }
        return text;
    }

private:
    int read_end_ = -1;
    int write_end_ = -1;
};

}  // namespace rtproxy::output::test
