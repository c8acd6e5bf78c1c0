// rtproxy: parse the options, build the output and the proxy, run. Nothing else.
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <iostream>

#include "cli/command_line.hpp"
#include "demo/demo.hpp"
#include "output/output.hpp"
#include "proxy/proxy_server.hpp"

namespace {

rtproxy::output::OutputOptions output_options(const rtproxy::Config& config) {
    using rtproxy::OutputFormat;
    using Stdout = rtproxy::output::OutputOptions::StdoutFormat;
    rtproxy::output::OutputOptions options;
    const bool terminal = ::isatty(STDOUT_FILENO) != 0;
    if (config.quiet)
        options.stdout_format = Stdout::none;
    else if (config.format == OutputFormat::pretty || (config.format == OutputFormat::auto_detect && terminal))
        options.stdout_format = Stdout::pretty;
    else
        options.stdout_format = Stdout::json;
    options.color = terminal;
    options.log_file = config.log_file;
    return options;
}

}  // namespace

int main(int argc, char** argv) {
    auto command_line = rtproxy::cli::parse_command_line(argc, argv, std::cout, std::cerr);
    if (!command_line.config) return command_line.exit_code;
    const rtproxy::Config& config = *command_line.config;
    try {
        auto output = rtproxy::output::Output::open(output_options(config));
        int status = 0;
        if (config.demo) {
            status = rtproxy::demo::run_demo(config, *output);
        } else {
            rtproxy::proxy::ProxyServer server(config, *output);
            server.start();
            server.run();
        }
        output->close();
        return status;
    } catch (const std::exception& e) {
        std::cerr << "rtproxy: " << e.what() << '\n';
        return 1;
    }
}
