#include "net/cidr.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace rtproxy::net {
namespace {

struct Address {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first 4
};

// inet_pton only: it accepts exactly the dotted quad for IPv4 (no "10.1", no octal) and the
// RFC 4291 §2.2 text forms for IPv6, which is what an operator writes and a socket reports.
std::optional<Address> parse_address(std::string_view text) {
    const std::string copy(text);
    Address address;
    if (::inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) return address;
    if (::inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) {
        address.v6 = true;
        return address;
    }
    return std::nullopt;
}

// ::ffff:a.b.c.d (RFC 4291 §2.5.5.2) is how a dual-stack socket reports an IPv4 peer; it
// must match IPv4 networks or trusting 10.0.0.0/8 would depend on how the listener was bound.
std::optional<std::array<std::uint8_t, 4>> mapped_ipv4(const Address& address) {
    static constexpr std::array<std::uint8_t, 12> prefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!address.v6 || !std::equal(prefix.begin(), prefix.end(), address.bytes.begin())) return std::nullopt;
    return std::array<std::uint8_t, 4>{address.bytes[12], address.bytes[13], address.bytes[14], address.bytes[15]};
}

bool same_prefix(const std::uint8_t* a, const std::uint8_t* b, int prefix) {
    const int whole = prefix / 8;
    if (!std::equal(a, a + whole, b)) return false;
    const int rest = prefix % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

std::optional<int> parse_prefix(std::string_view text, int max) {
    // Digits only, no leading zeros (as Go's net.ParseCIDR): "/08" is more likely a typo.
    if (text.empty() || text.size() > 3 || (text.size() > 1 && text.front() == '0')) return std::nullopt;
    int value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    if (value > max) return std::nullopt;
    return value;
}

}  // namespace

std::optional<Cidr> Cidr::parse(std::string_view text) {
    const auto slash = text.find('/');
    auto address = parse_address(text.substr(0, slash));
    if (!address) return std::nullopt;

    const int max = address->v6 ? 128 : 32;
    int prefix = max;
    if (slash != std::string_view::npos) {
        const auto parsed = parse_prefix(text.substr(slash + 1), max);
        if (!parsed) return std::nullopt;
        prefix = *parsed;
    }

    Cidr cidr;
    cidr.v6_ = address->v6;
    cidr.prefix_ = prefix;
    // Host bits are cleared, so "10.1.2.3/8" is the network 10.0.0.0/8 (as Go's ParseCIDR).
    for (int bit = prefix; bit < max; ++bit)
        address->bytes[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
    cidr.bytes_ = address->bytes;
    return cidr;
}

bool Cidr::contains(std::string_view text) const {
    // Socket peers may come bracketed ("[::1]") or with a zone ("fe80::1%eth0"); the zone
    // says which link, not which address.
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
    if (const auto percent = text.find('%'); percent != std::string_view::npos) text = text.substr(0, percent);

    auto address = parse_address(text);
    if (!address) return false;
    if (!v6_) {
        if (address->v6) {
            const auto v4 = mapped_ipv4(*address);
            if (!v4) return false;
            return same_prefix(v4->data(), bytes_.data(), prefix_);
        }
        return same_prefix(address->bytes.data(), bytes_.data(), prefix_);
    }
    if (!address->v6) {
        // An IPv4 peer against an IPv6 network: compare it in its mapped form.
        Address mapped;
        mapped.v6 = true;
        mapped.bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        std::copy_n(address->bytes.begin(), 4, mapped.bytes.begin() + 12);
        address = mapped;
    }
    return same_prefix(address->bytes.data(), bytes_.data(), prefix_);
}

std::string Cidr::to_string() const {
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(v6_ ? AF_INET6 : AF_INET, bytes_.data(), text, sizeof text);
    return std::string(text) + "/" + std::to_string(prefix_);
}

}  // namespace rtproxy::net
