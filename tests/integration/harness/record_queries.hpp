#pragma once
// Questions tests ask of a round_trip record, phrased in the contract's terms.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace rtproxy::integration {

using nlohmann::json;

// The value at a JSON pointer ("/attempts/0/conn/reused"); throws naming the pointer and
// showing the record when it is missing, so a missing field reads as what it is.
json at(const json& record, const std::string& pointer);

// First value of `name` (case-insensitive) in a [{name, value}] array.
std::optional<std::string> header_value(const json& headers, std::string_view name);
std::vector<std::string> header_values(const json& headers, std::string_view name);
std::size_t count_headers(const json& headers, std::string_view name);

// The first change in upstream_request.changes with this name (case-insensitive) and reason.
std::optional<json> find_change(const json& record, std::string_view name, std::string_view reason);

// Every error of the round trip: errors[] and each attempt's error.
std::vector<json> all_errors(const json& record);
// The first error matching every non-empty field.
std::optional<json> find_error(const json& record, std::string_view op, std::string_view peer,
                               std::string_view phase = {}, std::string_view kind = {});

// Records sorted by id: the order the proxy numbered them, whatever order they were logged in.
std::vector<json> by_id(std::vector<json> records);
// An attempt's retry.reason.
std::string reason_of(const json& attempt);

// Pretty JSON for INFO().
std::string show(const json& value);

}  // namespace rtproxy::integration
