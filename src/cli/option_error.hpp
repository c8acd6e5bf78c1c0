#pragma once
// A bad command line, said in one line that names the option, the value and what was
// expected: `--upstream: "ftp://x" is not host:port or http(s)://host:port`.
#include <stdexcept>
#include <string>
#include <string_view>

namespace rtproxy::cli {

class OptionError : public std::runtime_error {
public:
    // `problem` completes the sentence `"<value>" ...`.
    OptionError(std::string_view option, std::string_view value, std::string_view problem)
        : std::runtime_error(std::string(option) + ": " + quote(value) + " " + std::string(problem)) {}

    // For errors that are not about one value, e.g. "--upstream is required (or use --demo)".
    explicit OptionError(const std::string& message) : std::runtime_error(message) {}

    // The value in double quotes with control characters escaped, so the message stays
    // on one line whatever was typed.
    static std::string quote(std::string_view value) {
        static constexpr char hex[] = "0123456789abcdef";
        std::string out = "\"";
        for (char c : value) {
            const auto byte = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                out += '\\';
                out += c;
            } else if (byte < 0x20 || byte == 0x7f) {
                out += "\\x";
                out += hex[byte >> 4];
                out += hex[byte & 0xf];
            } else {
                out += c;
            }
        }
        return out + "\"";
    }
};

}  // namespace rtproxy::cli
