#pragma once
// Just enough HTTP/1.1 for the test peers: split a head into lines and fields, read a
// chunked body, build responses. Deliberately lenient and independent of src/http, so a
// codec bug cannot hide behind the same bug in the tests.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/buffered_reader.hpp"

namespace rtproxy::integration {

using Field = std::pair<std::string, std::string>;
using FieldList = std::vector<Field>;

struct Head {
    std::string start_line;
    FieldList fields;  // wire order and case

    std::optional<std::string> field(std::string_view name) const;  // first, case-insensitive
    std::vector<std::string> all(std::string_view name) const;
};

// `text` is a head as read off the wire, with or without its final empty line.
Head parse_head(std::string_view text);

bool iequals(std::string_view a, std::string_view b);
bool icontains(std::string_view haystack, std::string_view needle);

struct ChunkedBody {
    std::string body;
    FieldList trailers;
};
// Reads chunks up to and including the trailer section's empty line.
ChunkedBody read_chunked_body(BufferedReader& reader, Millis timeout = default_io_timeout);

// Chunked encoding of `body` in pieces of `chunk_size`, with the last chunk and trailers.
std::string chunked(std::string_view body, std::size_t chunk_size = 4096, const FieldList& trailers = {});

// A complete response with Content-Length (unless the status forbids a body).
std::string http_response(int status, std::string_view body, const FieldList& fields = {});

// Deterministic bytes that are not all the same (so an offset mistake changes the hash).
std::string pattern_bytes(std::size_t n, unsigned seed = 1);
// FNV-1a 64: enough to compare megabytes without printing them on failure.
std::uint64_t fnv1a(std::string_view bytes);

}  // namespace rtproxy::integration
