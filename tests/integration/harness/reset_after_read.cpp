#include "harness/reset_after_read.hpp"

#include "harness/proxy_process.hpp"
#include "harness/scripted_upstream.hpp"

namespace rtproxy::integration {

ResetAfterReadRun through_an_upstream_that_resets_after_reading(
    const std::string& request, std::vector<std::string> args,
    std::function<std::string(const ReceivedRequest&)> answer) {
    RequestLog log;
    ScriptedUpstream upstream(first_connection(read_request_then_reset(log), serve_logged(log, std::move(answer))));
    ResetAfterReadRun run;
    {
        ProxyProcess proxy(upstream.port(), std::move(args));
        RawClient client(proxy.port());
        client.send(request);
        run.response = client.read_response();
        run.record = proxy.wait_for_round_trips(1).at(0);
    }
    upstream.stop();
    run.upstream_saw = log.entries();
    run.connections = upstream.connections_accepted();
    return run;
}

}  // namespace rtproxy::integration
