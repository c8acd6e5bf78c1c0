#include "harness/record_queries.hpp"

#include <algorithm>

#include "harness/http_text.hpp"

namespace rtproxy::integration {

json at(const json& record, const std::string& pointer) {
    json::json_pointer where(pointer);
    if (!record.contains(where))
        throw std::runtime_error("record has no " + pointer + ":\n" + record.dump(2));
    return record.at(where);
}

std::optional<std::string> header_value(const json& headers, std::string_view name) {
    auto values = header_values(headers, name);
    if (values.empty()) return std::nullopt;
    return values.front();
}

std::vector<std::string> header_values(const json& headers, std::string_view name) {
    std::vector<std::string> out;
    if (!headers.is_array()) return out;
    for (const auto& field : headers)
        if (field.is_object() && iequals(field.value("name", ""), name)) out.push_back(field.value("value", ""));
    return out;
}

std::size_t count_headers(const json& headers, std::string_view name) { return header_values(headers, name).size(); }

std::optional<json> find_change(const json& record, std::string_view name, std::string_view reason) {
    const auto& upstream_request = record.at("upstream_request");
    if (!upstream_request.is_object() || !upstream_request.contains("changes")) return std::nullopt;
    for (const auto& change : upstream_request.at("changes"))
        if (iequals(change.value("name", ""), name) && change.value("reason", "") == reason) return change;
    return std::nullopt;
}

std::vector<json> all_errors(const json& record) {
    std::vector<json> out;
    if (record.contains("errors") && record.at("errors").is_array())
        for (const auto& e : record.at("errors")) out.push_back(e);
    if (record.contains("attempts") && record.at("attempts").is_array())
        for (const auto& attempt : record.at("attempts"))
            if (attempt.contains("error") && attempt.at("error").is_object()) out.push_back(attempt.at("error"));
    return out;
}

std::optional<json> find_error(const json& record, std::string_view op, std::string_view peer, std::string_view phase,
                               std::string_view kind) {
    auto matches = [](const json& e, const char* key, std::string_view want) {
        return want.empty() || (e.contains(key) && e.at(key).is_string() && e.at(key).get<std::string>() == want);
    };
    for (const auto& e : all_errors(record))
        if (matches(e, "op", op) && matches(e, "peer", peer) && matches(e, "phase", phase) && matches(e, "kind", kind))
            return e;
    return std::nullopt;
}

std::string show(const json& value) { return value.dump(2); }

std::vector<json> by_id(std::vector<json> records) {
    std::sort(records.begin(), records.end(),
              [](const json& a, const json& b) { return a.at("id").get<long>() < b.at("id").get<long>(); });
    return records;
}

std::string reason_of(const json& attempt) { return attempt.at("retry").at("reason").get<std::string>(); }

}  // namespace rtproxy::integration
