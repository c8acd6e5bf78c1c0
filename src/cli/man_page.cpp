#include "cli/man_page.hpp"

#include <sstream>
#include <string_view>

#include "cli/option_docs.hpp"

namespace rtproxy::cli {
namespace {

// Text safe for roff: a backslash is \e, a hyphen-minus is \- (so options copied from the page
// still work), and a line may not start with a control character ('.' or ').
std::string roff(std::string_view text) {
    std::string out;
    bool line_start = true;
    for (char c : text) {
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        if (c == '\\')
            out += "\\e";
        else if (c == '-')
            out += "\\-";
        else
            out += c;
        line_start = c == '\n';
    }
    return out;
}

// For the hand-written roff below: only hyphens need escaping, the requests are meant.
std::string minus(std::string_view roff_text) {
    std::string out;
    for (char c : roff_text) {
        if (c == '-')
            out += "\\-";
        else
            out += c;
    }
    return out;
}

std::string option_heading(const OptionDoc& doc) {
    std::string out;
    if (!doc.short_name.empty()) out += "\\fB" + roff(doc.short_name) + "\\fR, ";
    out += "\\fB" + roff(doc.long_name) + "\\fR";
    if (!doc.value_name.empty()) out += " \\fI" + roff(doc.value_name) + "\\fR";
    return out;
}

void write_options(std::ostream& out, const std::vector<OptionDoc>& docs) {
    std::string group;
    for (const OptionDoc& doc : docs) {
        if (doc.group != group) {
            group = doc.group;
            out << ".SS " << roff(group) << "\n";
        }
        out << ".TP\n" << option_heading(doc) << "\n";
        std::string text = doc.description + ".";
        if (!doc.default_text.empty()) text += " Default: " + doc.default_text + ".";
        out << roff(text) << "\n";
    }
}

constexpr std::string_view description = R"(.B rtproxy
sits between an HTTP client and the server it means to talk to (the upstream) and shows
every round trip as it happens:
.IP \(bu 2
the request exactly as received from the client (method, target, header fields in wire
order and case, body size and framing, trailers);
.IP \(bu 2
the copy sent upstream, with each header change and the reason for it (hop-by-hop fields
removed, X-Forwarded-For/-Proto/-Host, Via);
.IP \(bu 2
every attempt, with retries and why they were or were not made;
.IP \(bu 2
1xx interim responses (100 Continue, 103 Early Hints) and 101 tunnels;
.IP \(bu 2
the response as relayed to the client;
.IP \(bu 2
read and write errors, saying on which side (client or upstream) and in which phase they
happened.
.PP
On a terminal the round trips are shown in a readable, coloured view. When standard output
is not a terminal, and always in the file given with --log-file, they are written as JSON
lines, one object per line, ready for jq.
)";

constexpr std::string_view value_syntax = R"(.SS Values
A \fIDURATION\fR is an integer or decimal number with a unit: ms, s or m (250ms, 1.5s, 2m).
A bare number is refused, since it could mean either milliseconds or seconds.
A \fISIZE\fR is a number of bytes with an optional unit: B, KiB, MiB, GiB (powers of 1024)
or KB, MB, GB (powers of 1000); 512, 64KiB and 1.5MiB are sizes.
)";

constexpr std::string_view output = R"(With --format json, when standard output is not a terminal, and in the --log-file,
rtproxy writes one JSON object per line. Its "event" field says which kind it is:
.TP
.B listening
the first line, once every listener is bound: the schema version, the listen addresses
(with the real port when port 0 was asked for), the upstream and the process id.
.TP
.B round_trip
one per client request, after its last byte moved or it failed: the request as received,
upstream_request (the copy sent, with its changes), attempts, interim responses, the
response, errors, timings and an outcome (ok, upstream_error, client_abort, client_error,
timeout, proxy_error).
.TP
.B shutdown
the last line, on SIGINT, SIGTERM, --max-rounds or a fatal error: the reason and counts.
.PP
Fields are added in later versions but never renamed or removed without a new schema number.
.PP
A log written to a regular file (--log-file, or standard output redirected to one) keeps
only its newest 32 MiB in the page cache: as it grows, older pages are handed back to the
kernel once they are on disk, so a long capture does not push everything else out of memory.
)";

constexpr std::string_view exit_status = R"(.TP
.B 0
rtproxy ran and stopped normally, or printed what --help or --version asked for.
.TP
.B 1
a runtime failure, for example a listen address already in use.
.TP
.B 2
a bad command line: an unknown option, a missing or malformed value, or no --upstream.
The error is one line on standard error naming the option.
)";

constexpr std::string_view examples = R"(Show the traffic of clients pointed at port 8080 that is meant for a service on port 9000:
.PP
.RS
.nf
rtproxy --upstream 127.0.0.1:9000
.fi
.RE
.PP
Only the round trips that did not go well, as JSON:
.PP
.RS
.nf
rtproxy --upstream 127.0.0.1:9000 --format json | jq 'select(.outcome != "ok")'
.fi
.RE
.PP
See what rtproxy shows without a service of your own:
.PP
.RS
.nf
rtproxy --demo
.fi
.RE
)";

}  // namespace

std::string man_page(const CLI::App& app) {
    std::ostringstream out;
    out << ".\\\" Generated by `rtproxy --print-man` from the option table in src/cli/option_table.cpp.\n"
        << ".\\\" Do not edit: run scripts/gen-docs.\n"
        << ".TH RTPROXY 1 \"\" \"rtproxy " << RTPROXY_VERSION << "\" \"User Commands\"\n"
        << ".SH NAME\n"
        << "rtproxy \\- a reverse proxy for debugging HTTP\n"
        << ".SH SYNOPSIS\n"
        << ".B rtproxy\n"
        << "\\fB\\-\\-upstream\\fR \\fIURL\\fR [\\fIOPTION\\fR]...\n"
        << ".br\n"
        << ".B rtproxy\n"
        << "\\fB\\-\\-demo\\fR [\\fIOPTION\\fR]...\n"
        << ".SH DESCRIPTION\n"
        << minus(description) << ".SH OPTIONS\n";
    write_options(out, documented_options(app));
    out << minus(value_syntax) << ".SH OUTPUT\n"
        << minus(output) << ".SH EXIT STATUS\n"
        << minus(exit_status) << ".SH EXAMPLES\n"
        << minus(examples) << ".SH SEE ALSO\n"
        << "jq(1), curl(1)\n";
    return out.str();
}

}  // namespace rtproxy::cli
