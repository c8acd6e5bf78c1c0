#pragma once
// A spawned program with its stdout and stderr on pipes and stdin on /dev/null.
// The destructor kills and reaps it, so no test leaves a process behind.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "harness/socket.hpp"

namespace rtproxy::integration {

class ChildProcess {
public:
    // argv[0] is looked up in PATH when it has no slash. Throws std::system_error.
    static ChildProcess spawn(const std::vector<std::string>& argv);

    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&&) = delete;
    ChildProcess(const ChildProcess&) = delete;
    ~ChildProcess();

    pid_t pid() const { return pid_; }
    // Read ends; owned here until taken.
    int stdout_fd() const { return stdout_fd_; }
    int stderr_fd() const { return stderr_fd_; }

    bool running() const { return !exit_code_; }
    void send_signal(int signal);
    // The exit code (128 + n when killed by signal n), or nullopt if still running after `timeout`.
    std::optional<int> wait_for_exit(Millis timeout);
    // SIGKILL and reap (no-op when already reaped).
    void kill();

private:
    ChildProcess() = default;

    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    int stderr_fd_ = -1;
    std::optional<int> exit_code_;
};

}  // namespace rtproxy::integration
