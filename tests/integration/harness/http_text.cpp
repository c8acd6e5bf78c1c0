#include "harness/http_text.hpp"

#include <cctype>
#include <cstdint>
#include <stdexcept>

namespace rtproxy::integration {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::string_view reason_phrase(int status) {
    switch (status) {
        case 100: return "Continue";
        case 200: return "OK";
        case 201: return "Created";
        case 204: return "No Content";
        case 304: return "Not Modified";
        case 400: return "Bad Request";
        case 404: return "Not Found";
        case 500: return "Internal Server Error";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        default: return "Status";
    }
}

std::size_t hex_value(char c) {
    if (c >= '0' && c <= '9') return static_cast<std::size_t>(c - '0');
    return static_cast<std::size_t>(std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

bool icontains(std::string_view haystack, std::string_view needle) {
    if (needle.size() > haystack.size()) return false;
    for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i)
        if (iequals(haystack.substr(i, needle.size()), needle)) return true;
    return false;
}

std::optional<std::string> Head::field(std::string_view name) const {
    for (const auto& [n, v] : fields)
        if (iequals(n, name)) return v;
    return std::nullopt;
}

std::vector<std::string> Head::all(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [n, v] : fields)
        if (iequals(n, name)) out.push_back(v);
    return out;
}

Head parse_head(std::string_view text) {
    Head head;
    bool first = true;
    while (!text.empty()) {
        auto eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (first) {
            head.start_line = std::string(line);
            first = false;
            continue;
        }
        if (line.empty()) break;
        auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        head.fields.emplace_back(std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
    }
    return head;
}

ChunkedBody read_chunked_body(BufferedReader& reader, Millis timeout) {
    ChunkedBody out;
    for (;;) {
        std::string size_line = reader.read_until("\r\n", timeout, 4096);
        std::size_t size = 0;
        std::size_t i = 0;
        for (; i < size_line.size() && std::isxdigit(static_cast<unsigned char>(size_line[i])); ++i)
            size = size * 16 + hex_value(size_line[i]);
        if (i == 0) throw std::runtime_error("bad chunk size line: " + size_line);
        if (size == 0) break;
        out.body += reader.read_exact(size, timeout);
        if (reader.read_exact(2, timeout) != "\r\n") throw std::runtime_error("chunk not followed by CRLF");
    }
    for (;;) {
        std::string line = reader.read_until("\r\n", timeout, 65536);
        if (line == "\r\n") break;
        auto head = parse_head("x\r\n" + line);
        for (auto& f : head.fields) out.trailers.push_back(std::move(f));
    }
    return out;
}

std::string chunked(std::string_view body, std::size_t chunk_size, const FieldList& trailers) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    while (!body.empty()) {
        auto piece = body.substr(0, chunk_size);
        std::string size;
        for (auto n = piece.size(); n > 0; n /= 16) size.insert(size.begin(), hex[n % 16]);
        out += size + "\r\n";
        out += piece;
        out += "\r\n";
        body.remove_prefix(piece.size());
    }
    out += "0\r\n";
    for (const auto& [name, value] : trailers) out += name + ": " + value + "\r\n";
    out += "\r\n";
    return out;
}

std::string http_response(int status, std::string_view body, const FieldList& fields) {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason_phrase(status)) + "\r\n";
    for (const auto& [name, value] : fields) out += name + ": " + value + "\r\n";
    bool bodyless = status == 204 || status == 304 || (status >= 100 && status < 200);
    if (!bodyless) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    out += "\r\n";
    if (!bodyless) out += body;
    return out;
}

std::string pattern_bytes(std::size_t n, unsigned seed) {
    std::string out(n, '\0');
    std::uint32_t x = 2463534242u ^ seed;
    for (auto& c : out) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = static_cast<char>(x & 0xff);
    }
    return out;
}

std::uint64_t fnv1a(std::string_view bytes) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

}  // namespace rtproxy::integration
