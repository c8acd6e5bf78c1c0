#include "harness/command.hpp"

#include <poll.h>
#include <unistd.h>

#include <chrono>

#include "harness/child_process.hpp"

namespace rtproxy::integration {

std::string CommandResult::describe() const {
    return "exit code " + std::to_string(exit_code) + (timed_out ? " (timed out, killed)" : "") + "\n--- stdout ---\n" +
           out + "\n--- stderr ---\n" + err;
}

CommandResult run_command(const std::vector<std::string>& argv, Millis timeout) {
    auto child = ChildProcess::spawn(argv);
    CommandResult result;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    pollfd fds[2] = {{child.stdout_fd(), POLLIN, 0}, {child.stderr_fd(), POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_streams = 2;
    while (open_streams > 0) {
        auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) {
            result.timed_out = true;
            break;
        }
        if (::poll(fds, 2, static_cast<int>(left)) <= 0) continue;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            char buf[65536];
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, static_cast<std::size_t>(n));
            } else {
                fds[i].fd = -1;  // EOF: poll ignores negative fds
                --open_streams;
            }
        }
    }
    if (result.timed_out) {
        child.kill();
        result.exit_code = child.wait_for_exit(Millis{0}).value_or(-1);
        return result;
    }
    auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    auto code = child.wait_for_exit(left.count() > 0 ? left : Millis{0});
    if (!code) {
        result.timed_out = true;
        child.kill();
        code = child.wait_for_exit(Millis{0});
    }
    result.exit_code = code.value_or(-1);
    return result;
}

CommandResult curl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"curl", "--max-time", "20", "-sS", "--noproxy", "*"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
}

const char* rtproxy_binary() { return RTPROXY_BINARY; }

CommandResult run_rtproxy(const std::vector<std::string>& args, Millis timeout) {
    std::vector<std::string> argv{rtproxy_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, timeout);
}

}  // namespace rtproxy::integration
