#include "output/record_json.hpp"

#include <charconv>
#include <cstring>
#include <string_view>

#include "output/json_writer.hpp"
#include "record/names.hpp"

namespace rtproxy::output {

namespace {

using namespace rtproxy::record;


// HAR-style [{name, value}] in wire order, duplicates and case kept.
void write_headers(JsonWriter& w, const Headers& headers) {
    w.begin_array();
    for (const auto& field : headers) w.name_value(field.name, field.value);
    w.end_array();
}

// The fields shared by `request` and `upstream_request`; the caller closes the object.
void write_message_fields(JsonWriter& w, const MessageRecord& message) {
    w.key("method").string(message.method);
    w.key("target").string(message.target);
    w.key("version").string(message.version);
    w.key("headers");
    write_headers(w, message.headers);
    w.key("body_bytes").number(message.body_bytes);
    w.key("body_framing").code(http::to_string(message.body_framing));
    w.key("trailers");
    write_headers(w, message.trailers);
}

void write_upstream(JsonWriter& w, const UpstreamInfo& upstream) {
    w.begin_object();
    w.key("scheme").string(upstream.scheme);
    w.key("host").string(upstream.host);
    w.key("port").number(upstream.port);
    w.end_object();
}

void write_error(JsonWriter& w, const ErrorRecord& error) {
    w.begin_object();
    w.key("op").code(record::to_string(error.op));
    w.key("peer").code(record::to_string(error.peer));
    w.key("phase").code(record::to_string(error.phase));
    w.key("kind").string(error.kind);
    w.key("message").string(error.message);
    w.key("bytes").number(error.bytes);
    w.key("attempt");
    if (error.attempt)
        w.number(*error.attempt);
    else
        w.null();
    w.end_object();
}

void write_attempt(JsonWriter& w, const AttemptRecord& attempt) {
    w.begin_object();
    w.key("n").number(attempt.n);
    w.key("backoff_ms").real(attempt.backoff_ms);
    w.key("started_ms").real(attempt.started_ms);
    w.key("conn");
    if (attempt.conn) {
        w.begin_object();
        w.key("reused").boolean(attempt.conn->reused);
        w.key("local").string_or_null(attempt.conn->local);
        w.key("remote").string_or_null(attempt.conn->remote);
        w.end_object();
    } else {
        w.null();
    }
    w.key("timings");
    w.begin_object();
    w.key("dns_ms").real(attempt.timings.dns_ms);
    w.key("connect_ms").real(attempt.timings.connect_ms);
    w.key("tls_ms").real(attempt.timings.tls_ms);
    w.key("request_written_ms").real(attempt.timings.request_written_ms);
    w.key("first_byte_ms").real(attempt.timings.first_byte_ms);
    w.end_object();
    w.key("body_source").code(to_string(attempt.body_source));
    w.key("request_body_bytes_written").number(attempt.request_body_bytes_written);
    w.key("status");
    if (attempt.status)
        w.number(*attempt.status);
    else
        w.null();
    w.key("error");
    if (attempt.error)
        write_error(w, *attempt.error);
    else
        w.null();
    w.key("retry");
    w.begin_object();
    w.key("decision").code(to_string(attempt.retry.decision));
    w.key("reason").string(attempt.retry.reason);
    w.end_object();
    w.end_object();
}

void write_interim(JsonWriter& w, const InterimRecord& interim) {
    w.begin_object();
    w.key("status").number(interim.status);
    w.key("reason").string(interim.reason);
    w.key("headers");
    write_headers(w, interim.headers);
    w.key("at_ms").real(interim.at_ms);
    w.key("attempt").number(interim.attempt);
    w.key("forwarded").boolean(interim.forwarded);
    w.end_object();
}

void write_response(JsonWriter& w, const ResponseRecord& response) {
    w.begin_object();
    w.key("status").number(response.status);
    w.key("reason").string(response.reason);
    w.key("version").string(response.version);
    w.key("headers");
    write_headers(w, response.headers);
    w.key("body_bytes").number(response.body_bytes);
    w.key("body_framing").code(http::to_string(response.body_framing));
    w.key("trailers");
    write_headers(w, response.trailers);
    w.key("source").code(to_string(response.source));
    w.end_object();
}

void write_tunnel(JsonWriter& w, const TunnelRecord& tunnel) {
    w.begin_object();
    w.key("protocol").string(tunnel.protocol);
    w.key("client_to_upstream_bytes").number(tunnel.client_to_upstream_bytes);
    w.key("upstream_to_client_bytes").number(tunnel.upstream_to_client_bytes);
    w.key("closed_by").code(to_string(tunnel.closed_by));
    w.end_object();
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
    w.begin_object();
    w.key("event").code("round_trip");
    w.key("id").number(record.id);
    char ts[timestamp_length];
    w.key("ts").string(write_timestamp(record.ts, ts));
    // Whether any string is lossy is only known at the end; write false and patch it.
    w.key("lossy");
    const auto lossy_at = w.offset();
    w.boolean(false);
    w.key("client");
    w.begin_object();
    w.key("addr").string(record.client.addr);
    w.key("port").number(record.client.port);
    w.key("conn_id").number(record.client.conn_id);
    w.key("conn_seq").number(record.client.conn_seq);
    w.key("tls").boolean(record.client.tls);
    w.end_object();
    w.key("request");
    w.begin_object();
    write_message_fields(w, record.request);
    w.end_object();
    w.key("upstream_request");
    if (record.upstream_request) {
        w.begin_object();
        write_message_fields(w, *record.upstream_request);
        w.key("changes");
        w.begin_array();
        for (const auto& change : record.upstream_request->changes) {
            w.begin_object();
            w.key("op").code(to_string(change.op));
            w.key("name").string(change.name);
            w.key("value").string(change.value);
            w.key("reason").code(change.reason);
            w.end_object();
        }
        w.end_array();
        w.end_object();
    } else {
        w.null();
    }
    w.key("x_forwarded_proto").string_or_null(record.x_forwarded_proto);
    w.key("upstream");
    write_upstream(w, record.upstream);
    w.key("body_buffer");
    w.begin_object();
    w.key("buffered").boolean(record.body_buffer.buffered);
    w.key("bytes").number(record.body_buffer.bytes);
    w.key("limit").number(record.body_buffer.limit);
    w.key("replayable").boolean(record.body_buffer.replayable);
    w.end_object();
    w.key("attempts");
    w.begin_array();
    for (const auto& attempt : record.attempts) write_attempt(w, attempt);
    w.end_array();
    w.key("interim");
    w.begin_array();
    for (const auto& interim : record.interim) write_interim(w, interim);
    w.end_array();
    w.key("response");
    if (record.response)
        write_response(w, *record.response);
    else
        w.null();
    w.key("tunnel");
    if (record.tunnel)
        write_tunnel(w, *record.tunnel);
    else
        w.null();
    w.key("errors");
    w.begin_array();
    for (const auto& error : record.errors) write_error(w, error);
    w.end_array();
    w.key("outcome").code(to_string(record.outcome));
    w.key("duration_ms").real(record.duration_ms);
    w.key("timings");
    w.begin_object();
    w.key("request_body_ms").real(record.timings.request_body_ms);
    w.key("upstream_first_byte_ms").real(record.timings.upstream_first_byte_ms);
    w.key("response_first_byte_ms").real(record.timings.response_first_byte_ms);
    w.key("total_ms").real(record.timings.total_ms);
    w.end_object();
    w.end_object();
    if (w.lossy()) w.replace(lossy_at, std::string_view("false").size(), "true");
    w.raw("\n");
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
