#pragma once
// An IPv4 or IPv6 network written as CIDR ("10.0.0.0/8", "::1/128", or a bare address).
// Pure value type, no sockets: used for --trusted-proxies.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rtproxy::net {

class Cidr {
public:
    // nullopt when `text` is not an address or address/prefix with a prefix in range.
    static std::optional<Cidr> parse(std::string_view text);
    // `address` is a textual IP ("127.0.0.1", "::1", "::ffff:10.0.0.1" matches IPv4 nets).
    bool contains(std::string_view address) const;
    std::string to_string() const;  // canonical: host bits cleared, prefix always written

    bool operator==(const Cidr&) const = default;

private:
    bool v6_ = false;
    std::array<std::uint8_t, 16> bytes_{};
    int prefix_ = 0;
};

}  // namespace rtproxy::net
