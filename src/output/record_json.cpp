#include "output/record_json.hpp"

#include <charconv>
#include <cstring>
#include <string_view>

#include "output/json_writer.hpp"
#include "record/names.hpp"

namespace rtproxy::output {

namespace {

using namespace rtproxy::record;


// The record's fixed names and punctuation go out as whole runs (JsonWriter::text) between
// the values: a record is ~150 tokens, and a call per name was most of its rendering cost.

// HAR-style {name, value} objects in wire order, duplicates and case kept, into an array the
// caller opened.
void write_header_list(JsonWriter& w, const Headers& headers) {
    for (const auto& field : headers) w.name_value(field.name, field.value);
}

// The members shared by `request` and `upstream_request`, inside an object the caller opened
// and closes.
void write_message_fields(JsonWriter& w, const MessageRecord& message) {
    w.text("\"method\":").string(message.method);
    w.text(",\"target\":").string(message.target);
    w.text(",\"version\":").string(message.version);
    w.text(",\"headers\":[");
    write_header_list(w, message.headers);
    w.text("],\"body_bytes\":").number(message.body_bytes);
    w.text(",\"body_framing\":").code(http::to_string(message.body_framing));
    w.text(",\"trailers\":[");
    write_header_list(w, message.trailers);
    w.text("]");
}

void write_upstream(JsonWriter& w, const UpstreamInfo& upstream) {
    w.begin_object();
    w.text("\"scheme\":").string(upstream.scheme);
    w.text(",\"host\":").string(upstream.host);
    w.text(",\"port\":").number(upstream.port);
    w.end_object();
}

void write_error(JsonWriter& w, const ErrorRecord& error) {
    w.begin_object();
    w.text("\"op\":").code(record::to_string(error.op));
    w.text(",\"peer\":").code(record::to_string(error.peer));
    w.text(",\"phase\":").code(record::to_string(error.phase));
    w.text(",\"kind\":").string(error.kind);
    w.text(",\"message\":").string(error.message);
    w.text(",\"bytes\":").number(error.bytes);
    w.text(",\"attempt\":");
    if (error.attempt)
        w.number(*error.attempt);
    else
        w.null();
    w.end_object();
}

void write_attempt(JsonWriter& w, const AttemptRecord& attempt) {
    w.begin_object();
    w.text("\"n\":").number(attempt.n);
    w.text(",\"backoff_ms\":").real(attempt.backoff_ms);
    w.text(",\"started_ms\":").real(attempt.started_ms);
    w.text(",\"conn\":");
    if (attempt.conn) {
        w.text("{\"reused\":").boolean(attempt.conn->reused);
        w.text(",\"local\":").string_or_null(attempt.conn->local);
        w.text(",\"remote\":").string_or_null(attempt.conn->remote);
        w.text("}");
    } else {
        w.null();
    }
    w.text(",\"timings\":{\"dns_ms\":").real(attempt.timings.dns_ms);
    w.text(",\"connect_ms\":").real(attempt.timings.connect_ms);
    w.text(",\"tls_ms\":").real(attempt.timings.tls_ms);
    w.text(",\"request_written_ms\":").real(attempt.timings.request_written_ms);
    w.text(",\"first_byte_ms\":").real(attempt.timings.first_byte_ms);
    w.text("},\"body_source\":").code(to_string(attempt.body_source));
    w.text(",\"request_body_bytes_written\":").number(attempt.request_body_bytes_written);
    w.text(",\"status\":");
    if (attempt.status)
        w.number(*attempt.status);
    else
        w.null();
    w.text(",\"error\":");
    if (attempt.error)
        write_error(w, *attempt.error);
    else
        w.null();
    w.text(",\"retry\":{\"decision\":").code(to_string(attempt.retry.decision));
    w.text(",\"reason\":").string(attempt.retry.reason);
    w.text("}}");
}

void write_interim(JsonWriter& w, const InterimRecord& interim) {
    w.begin_object();
    w.text("\"status\":").number(interim.status);
    w.text(",\"reason\":").string(interim.reason);
    w.text(",\"headers\":[");
    write_header_list(w, interim.headers);
    w.text("],\"at_ms\":").real(interim.at_ms);
    w.text(",\"attempt\":").number(interim.attempt);
    w.text(",\"forwarded\":").boolean(interim.forwarded);
    w.end_object();
}

void write_response(JsonWriter& w, const ResponseRecord& response) {
    w.text("{\"status\":").number(response.status);
    w.text(",\"reason\":").string(response.reason);
    w.text(",\"version\":").string(response.version);
    w.text(",\"headers\":[");
    write_header_list(w, response.headers);
    w.text("],\"body_bytes\":").number(response.body_bytes);
    w.text(",\"body_framing\":").code(http::to_string(response.body_framing));
    w.text(",\"trailers\":[");
    write_header_list(w, response.trailers);
    w.text("],\"source\":").code(to_string(response.source));
    w.text("}");
}

void write_tunnel(JsonWriter& w, const TunnelRecord& tunnel) {
    w.text("{\"protocol\":").string(tunnel.protocol);
    w.text(",\"client_to_upstream_bytes\":").number(tunnel.client_to_upstream_bytes);
    w.text(",\"upstream_to_client_bytes\":").number(tunnel.upstream_to_client_bytes);
    w.text(",\"closed_by\":").code(to_string(tunnel.closed_by));
    w.text("}");
}

// Writes `value` as exactly `width` digits (zero-padded) at `at`; returns the end.
char* put_digits(char* at, long long value, int width) {
    for (int i = width - 1; i >= 0; --i) {
        at[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    return at + width;
}

constexpr std::size_t timestamp_length = 27;  // 2024-05-01T12:00:00.000123Z

constexpr std::size_t seconds_length = 19;    // 2024-05-01T12:00:00

// Into a caller's buffer: the record path writes one per request and must not allocate.
// The date and time of day change once a second, so they are computed once a second (per
// thread) and copied otherwise; only the microseconds are new for every record.
std::string_view write_timestamp(std::chrono::system_clock::time_point ts, char (&buffer)[timestamp_length]) {
    using namespace std::chrono;
    struct SecondText {
        sys_seconds second = sys_seconds::min();
        char text[seconds_length];
    };
    thread_local SecondText last;
    // floor, not duration_cast: a time before the epoch must still count down from its day.
    const auto micros = floor<microseconds>(ts);
    const auto second = floor<seconds>(micros);
    if (second != last.second) {
        const auto day = floor<days>(second);
        const year_month_day date{day};
        const hh_mm_ss time{second - day};
        char* at = put_digits(last.text, static_cast<int>(date.year()), 4);
        *at++ = '-';
        at = put_digits(at, static_cast<unsigned>(date.month()), 2);
        *at++ = '-';
        at = put_digits(at, static_cast<unsigned>(date.day()), 2);
        *at++ = 'T';
        at = put_digits(at, time.hours().count(), 2);
        *at++ = ':';
        at = put_digits(at, time.minutes().count(), 2);
        *at++ = ':';
        put_digits(at, time.seconds().count(), 2);
        last.second = second;
    }
    std::memcpy(buffer, last.text, seconds_length);
    buffer[seconds_length] = '.';
    put_digits(buffer + seconds_length + 1, (micros - second).count(), 6);
    buffer[timestamp_length - 1] = 'Z';
    return {buffer, timestamp_length};
}

void write_round_trip(JsonWriter& w, const RoundTripRecord& record) {
    w.text("{\"event\":\"round_trip\",\"id\":").number(record.id);
    char ts[timestamp_length];
    w.text(",\"ts\":").string(write_timestamp(record.ts, ts));
    // Whether any string is lossy is only known at the end; write false and patch it.
    w.text(",\"lossy\":");
    const auto lossy_at = w.offset();
    w.boolean(false);
    w.text(",\"client\":{\"addr\":").string(record.client.addr);
    w.text(",\"port\":").number(record.client.port);
    w.text(",\"conn_id\":").number(record.client.conn_id);
    w.text(",\"conn_seq\":").number(record.client.conn_seq);
    w.text(",\"tls\":").boolean(record.client.tls);
    w.text("},\"request\":{");
    write_message_fields(w, record.request);
    w.text("},\"upstream_request\":");
    if (record.upstream_request) {
        w.text("{");
        write_message_fields(w, *record.upstream_request);
        w.text(",\"changes\":[");
        for (const auto& change : record.upstream_request->changes) {
            w.begin_object();
            w.text("\"op\":").code(to_string(change.op));
            w.text(",\"name\":").string(change.name);
            w.text(",\"value\":").string(change.value);
            w.text(",\"reason\":").code(change.reason);
            w.end_object();
        }
        w.text("]}");
    } else {
        w.null();
    }
    w.text(",\"x_forwarded_proto\":").string_or_null(record.x_forwarded_proto);
    w.text(",\"upstream\":");
    write_upstream(w, record.upstream);
    w.text(",\"body_buffer\":{\"buffered\":").boolean(record.body_buffer.buffered);
    w.text(",\"bytes\":").number(record.body_buffer.bytes);
    w.text(",\"limit\":").number(record.body_buffer.limit);
    w.text(",\"replayable\":").boolean(record.body_buffer.replayable);
    w.text("},\"attempts\":[");
    for (const auto& attempt : record.attempts) write_attempt(w, attempt);
    w.text("],\"interim\":[");
    for (const auto& interim : record.interim) write_interim(w, interim);
    w.text("],\"response\":");
    if (record.response)
        write_response(w, *record.response);
    else
        w.null();
    w.text(",\"tunnel\":");
    if (record.tunnel)
        write_tunnel(w, *record.tunnel);
    else
        w.null();
    w.text(",\"errors\":[");
    for (const auto& error : record.errors) write_error(w, error);
    w.text("],\"outcome\":").code(to_string(record.outcome));
    w.text(",\"duration_ms\":").real(record.duration_ms);
    w.text(",\"timings\":{\"request_body_ms\":").real(record.timings.request_body_ms);
    w.text(",\"upstream_first_byte_ms\":").real(record.timings.upstream_first_byte_ms);
    w.text(",\"response_first_byte_ms\":").real(record.timings.response_first_byte_ms);
    w.text(",\"total_ms\":").real(record.timings.total_ms);
    w.text("}}\n");
    if (w.lossy()) w.replace(lossy_at, std::string_view("false").size(), "true");
}

void write_listening(JsonWriter& w, const ListeningEvent& event) {
    w.begin_object();
    w.key("event").string("listening");
    w.key("schema").number(schema_version);
    w.key("version").string(event.version);
    w.key("listen");
    w.begin_array();
    for (const auto& address : event.listen) {
        w.begin_object();
        w.key("addr").string(address.addr);
        w.key("port").number(address.port);
        w.key("tls").boolean(address.tls);
        w.end_object();
    }
    w.end_array();
    w.key("upstream");
    write_upstream(w, event.upstream);
    w.key("admin").string_or_null(event.admin);
    w.key("pid").number(event.pid);
    w.end_object();
    w.raw("\n");
}

void write_shutdown(JsonWriter& w, const ShutdownEvent& event) {
    w.begin_object();
    w.key("event").string("shutdown");
    w.key("reason").string(event.reason);
    w.key("rounds").number(event.rounds);
    w.key("errors");
    w.begin_object();
    for (const auto& [op, count] : event.errors) w.text_key(op).number(count);
    w.end_object();
    w.key("dropped").number(event.dropped);
    w.key("uptime_ms").real(event.uptime_ms);
    w.end_object();
    w.raw("\n");
}

// One event as a line of its own string. The writer is closed (the string cut to what was
// written) before the string is returned.
template <class Event, class Write>
std::string whole_line(const Event& event, Write write) {
    std::string out;
    {
        JsonWriter w(out);
        write(w, event);
    }
    return out;
}

}  // namespace

std::string format_timestamp(std::chrono::system_clock::time_point ts) {
    char buffer[timestamp_length];
    return std::string(write_timestamp(ts, buffer));
}

std::string to_json_line(const RoundTripRecord& record) { return whole_line(record, write_round_trip); }

std::string_view render_json_line(std::string& scratch, const RoundTripRecord& record) {
    JsonWriter w(scratch, JsonWriter::Scratch{});
    write_round_trip(w, record);
    return {scratch.data(), w.offset()};
}

std::string to_json_line(const ListeningEvent& event) { return whole_line(event, write_listening); }

std::string to_json_line(const ShutdownEvent& event) { return whole_line(event, write_shutdown); }

}  // namespace rtproxy::output
