#pragma once
// Ordered header fields exactly as they were on the wire: order, case and duplicates
// kept, because a person debugging the wire must see what was really sent.
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rtproxy::http {

struct Field {
    std::string name;
    std::string value;
    bool operator==(const Field&) const = default;
};

// Field names are case-insensitive (RFC 9110 §5.1); ASCII only, no locale.
// Equal bytes are the common case (a name spelled as the lookup spells it), so a byte is
// only folded when it differs: then both must be the same letter in different case.
inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto x = static_cast<unsigned char>(a[i]);
        const auto y = static_cast<unsigned char>(b[i]);
        if (x == y) continue;
        const auto lower = static_cast<unsigned char>(x | 0x20);
        if (lower != (y | 0x20) || lower < 'a' || lower > 'z') return false;
    }
    return true;
}

// Trims optional whitespace (SP / HTAB, RFC 9110 §5.6.3) from both ends.
inline std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Calls fn(token) for every non-empty element of a comma-separated list (RFC 9110 §5.6.1).
template <class Fn>
void for_each_list_element(std::string_view value, Fn&& fn) {
    while (!value.empty()) {
        auto comma = value.find(',');
        auto element = trim_ows(value.substr(0, comma));
        if (!element.empty()) fn(element);
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
}

class Fields {
public:
    using const_iterator = std::vector<Field>::const_iterator;

    Fields() = default;
    Fields(std::initializer_list<Field> fields) : fields_(fields) {}

    // The strings are built in place in the list: a Field assembled first and moved in cost
    // three copies of every short (SSO) name and value, on every header of every message.
    void add(std::string_view name, std::string_view value) {
        auto& field = fields_.emplace_back();
        field.name.assign(name);
        field.value.assign(value);
    }

    const Field* find(std::string_view name) const {
        for (const auto& f : fields_)
            if (iequals(f.name, name)) return &f;
        return nullptr;
    }

    std::size_t count(std::string_view name) const {
        return static_cast<std::size_t>(
            std::count_if(fields_.begin(), fields_.end(), [&](const Field& f) { return iequals(f.name, name); }));
    }

    // Removes every field called `name`; returns the removed fields in wire order.
    std::vector<Field> remove_all(std::string_view name) {
        std::vector<Field> removed;
        auto keep = std::stable_partition(fields_.begin(), fields_.end(),
                                          [&](const Field& f) { return !iequals(f.name, name); });
        removed.assign(std::make_move_iterator(keep), std::make_move_iterator(fields_.end()));
        fields_.erase(keep, fields_.end());
        return removed;
    }

    // True when any field called `name` lists `token` (case-insensitive), e.g.
    // has_token("Connection", "close").
    bool has_token(std::string_view name, std::string_view token) const {
        bool found = false;
        for (const auto& f : fields_)
            if (iequals(f.name, name))
                for_each_list_element(f.value, [&](std::string_view t) { found = found || iequals(t, token); });
        return found;
    }

    // All values of `name` joined with ", " (RFC 9110 §5.3), empty if absent.
    std::string joined(std::string_view name) const {
        std::string out;
        for (const auto& f : fields_)
            if (iequals(f.name, name)) {
                if (!out.empty()) out += ", ";
                out += f.value;
            }
        return out;
    }

    const_iterator begin() const { return fields_.begin(); }
    const_iterator end() const { return fields_.end(); }
    std::size_t size() const { return fields_.size(); }
    bool empty() const { return fields_.empty(); }
    const Field& operator[](std::size_t i) const { return fields_[i]; }
    std::vector<Field>& list() { return fields_; }
    const std::vector<Field>& list() const { return fields_; }
    bool operator==(const Fields&) const = default;

private:
    std::vector<Field> fields_;
};

}  // namespace rtproxy::http
