// The JSON we write matches the machine-checkable contract, proven by running the schema
// validator (python3-jsonschema) on lines rendered through the real Output.
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "output/output.hpp"
#include "output/record_json.hpp"
#include "sample_records.hpp"
#include "test_support.hpp"

using rtproxy::output::Output;
using rtproxy::output::OutputOptions;
using namespace rtproxy::output::test;

namespace {

const std::string schema_dir = RTPROXY_SOURCE_DIR "/tests/schema";

// Exit status of the validator run on `file`.
int validate(const std::string& file, const std::string& extra = "") {
    const std::string command = "/usr/bin/python3 '" + schema_dir + "/validate_jsonl.py' " + extra + " '" + schema_dir +
                                "/round-trip.schema.json' '" + file + "'";
    const int status = std::system(command.c_str());
    REQUIRE(status != -1);
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("the schema copy in tests/schema is identical to the shared contract") {
    const std::string shared = RTPROXY_SOURCE_DIR "/../shared/contract/round-trip.schema.json";
    if (!std::filesystem::exists(shared)) {
        WARN("shared contract not beside the clone (" << shared << "): comparison skipped");
        return;
    }
    const auto read = [](const std::string& path) {
        std::ifstream in(path, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    const auto copy = read(schema_dir + "/round-trip.schema.json");
    REQUIRE(!copy.empty());
    CHECK(copy == read(shared));
}

TEST_CASE("every event written through Output validates against the contract schema") {
    TempFile log("rtproxy-schema");
    OutputOptions options;
    options.stdout_format = OutputOptions::StdoutFormat::none;
    options.log_file = log.path();
    auto output = Output::open(options);

    output->listening(sample_listening());
    auto with_admin = sample_listening();
    with_admin.admin = "127.0.0.1:9901";
    output->listening(with_admin);
    output->round_trip(full_record());
    output->round_trip(proxy_made_400());
    auto lossy = full_record();
    lossy.request.headers[0].value = "caf\xE9";
    lossy.x_forwarded_proto = "http";
    output->round_trip(lossy);
    auto no_response = proxy_made_400();
    no_response.response.reset();
    output->round_trip(no_response);
    auto whole = proxy_made_400();
    whole.duration_ms = 0;
    whole.timings.total_ms = 0;
    output->round_trip(whole);
    output->shutdown(sample_shutdown());
    output->close();

    REQUIRE(split_lines(log.contents()).size() == 8);
    CHECK(validate(log.path()) == 0);
}

TEST_CASE("the validator rejects a line that breaks the contract, and an empty file") {
    TempFile bad("rtproxy-schema-bad");
    auto line = rtproxy::output::to_json_line(proxy_made_400());
    const auto at = line.find("\"lossy\":false,");
    REQUIRE(at != std::string::npos);
    line.erase(at, std::string("\"lossy\":false,").size());
    { std::ofstream(bad.path(), std::ios::binary) << line; }
    CHECK(validate(bad.path()) == 1);

    TempFile empty("rtproxy-schema-empty");
    { std::ofstream(empty.path()); }
    CHECK(validate(empty.path()) == 1);
    CHECK(validate(empty.path(), "--allow-empty") == 0);
}
