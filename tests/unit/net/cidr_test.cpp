#include <catch2/catch.hpp>

#include "net/cidr.hpp"

using rtproxy::net::Cidr;

namespace {

Cidr cidr(const char* text) {
    auto parsed = Cidr::parse(text);
    REQUIRE(parsed);
    return *parsed;
}

}  // namespace

TEST_CASE("an IPv4 network contains exactly the addresses under its prefix") {
    const Cidr ten = cidr("10.0.0.0/8");
    CHECK(ten.contains("10.0.0.0"));
    CHECK(ten.contains("10.1.2.3"));
    CHECK(ten.contains("10.255.255.255"));
    CHECK_FALSE(ten.contains("11.0.0.0"));
    CHECK_FALSE(ten.contains("9.255.255.255"));
    CHECK(ten.to_string() == "10.0.0.0/8");
}

TEST_CASE("a prefix that is not a multiple of 8 compares the leading bits of the last byte") {
    const Cidr net = cidr("192.168.4.0/22");  // 192.168.4.0 - 192.168.7.255
    CHECK(net.contains("192.168.4.1"));
    CHECK(net.contains("192.168.7.255"));
    CHECK_FALSE(net.contains("192.168.8.0"));
    CHECK_FALSE(net.contains("192.168.3.255"));
}

TEST_CASE("a bare address is a network of one address") {
    const Cidr one = cidr("192.168.1.7");
    CHECK(one.to_string() == "192.168.1.7/32");
    CHECK(one.contains("192.168.1.7"));
    CHECK_FALSE(one.contains("192.168.1.8"));

    const Cidr loopback6 = cidr("::1");
    CHECK(loopback6.to_string() == "::1/128");
    CHECK(loopback6 == cidr("::1/128"));
}

TEST_CASE("IPv6 networks contain addresses under their prefix") {
    const Cidr link_local = cidr("fe80::/10");
    CHECK(link_local.contains("fe80::1"));
    CHECK(link_local.contains("febf:ffff::1"));
    CHECK_FALSE(link_local.contains("fec0::1"));
    CHECK(cidr("::1/128").contains("::1"));
    CHECK_FALSE(cidr("::1/128").contains("::2"));
}

TEST_CASE("an IPv4-mapped IPv6 peer matches IPv4 networks") {
    CHECK(cidr("10.0.0.0/8").contains("::ffff:10.1.2.3"));
    CHECK_FALSE(cidr("10.0.0.0/8").contains("::ffff:11.1.2.3"));
    // Only the ::ffff:0:0/96 form is an IPv4 address in disguise.
    CHECK_FALSE(cidr("10.0.0.0/8").contains("::10.1.2.3"));
    CHECK_FALSE(cidr("10.0.0.0/8").contains("64:ff9b::10.1.2.3"));
}

TEST_CASE("an IPv4 peer matches an IPv6 network written in the mapped form") {
    CHECK(cidr("::ffff:10.0.0.0/104").contains("10.9.9.9"));
    CHECK_FALSE(cidr("::ffff:10.0.0.0/104").contains("11.9.9.9"));
    CHECK_FALSE(cidr("::/0").contains("not an address"));
}

TEST_CASE("an IPv4 peer is not in a plain IPv6 network and vice versa") {
    CHECK_FALSE(cidr("::1/128").contains("127.0.0.1"));
    CHECK_FALSE(cidr("127.0.0.0/8").contains("::1"));
}

TEST_CASE("host bits in the network are cleared, as Go's ParseCIDR does") {
    CHECK(cidr("10.1.2.3/8").to_string() == "10.0.0.0/8");
    CHECK(cidr("10.1.2.3/8") == cidr("10.0.0.0/8"));
    CHECK(cidr("fe80::1234/10").to_string() == "fe80::/10");
}

TEST_CASE("prefix 0 contains every address of its family") {
    CHECK(cidr("0.0.0.0/0").contains("203.0.113.9"));
    CHECK(cidr("::/0").contains("2001:db8::1"));
}

TEST_CASE("peers written with brackets or a zone are understood") {
    CHECK(cidr("::1").contains("[::1]"));
    CHECK(cidr("fe80::/10").contains("fe80::1%eth0"));
}

TEST_CASE("garbage and out-of-range prefixes are not networks") {
    for (const char* bad : {"", "/8", "10.0.0.0/", "10.0.0.0/33", "::1/129", "10.0.0.0/-1", "10.0.0.0/+8",
                            "10.0.0.0/08", "10.0.0.0/8/8", "10.0.0/8", "10.0.0.256", "localhost", "10.0.0.0 /8",
                            " 10.0.0.0/8", "::g", "[::1]/128", "10.0.0.0/1000"}) {
        INFO(bad);
        CHECK_FALSE(Cidr::parse(bad));
    }
}

TEST_CASE("an address that cannot be parsed is in no network") {
    CHECK_FALSE(cidr("0.0.0.0/0").contains(""));
    CHECK_FALSE(cidr("0.0.0.0/0").contains("10.0.0.1:80"));
}
