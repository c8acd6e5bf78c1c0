// InlineList: the first N pieces of a write inline, the rest on the heap, order kept.
#include <catch2/catch.hpp>

#include <vector>

#include "proxy/gather_write.hpp"

using rtproxy::proxy::InlineList;

namespace {

std::vector<int> contents(const InlineList<int, 3>& list) { return {list.begin(), list.end()}; }

}  // namespace

TEST_CASE("an inline list keeps order across the move to the heap and back after clear") {
    InlineList<int, 3> list;
    CHECK(list.empty());
    for (int i = 1; i <= 3; ++i) list.push_back(i);
    CHECK(contents(list) == std::vector<int>{1, 2, 3});
    list.push_back(4);  // spills: everything moves to the heap, in order
    list.push_back(5);
    CHECK(contents(list) == std::vector<int>{1, 2, 3, 4, 5});
    CHECK(list.view().size() == 5);
    list.clear();
    CHECK(list.empty());
    list.push_back(9);  // inline again
    CHECK(contents(list) == std::vector<int>{9});
    CHECK(list.view().data() != nullptr);
}
