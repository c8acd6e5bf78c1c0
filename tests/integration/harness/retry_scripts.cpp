#include "harness/retry_scripts.hpp"

#include "harness/upstream_scripts.hpp"

namespace rtproxy::integration {

Script first_connection(Script first, Script then) {
    return [first = std::move(first), then = std::move(then)](UpstreamConnection& connection) {
        if (connection.index() == 0)
            first(connection);
        else
            then(connection);
    };
}

Script reset_without_reading() {
    return [](UpstreamConnection& connection) { connection.reset(); };
}

void RequestLog::add(std::size_t connection, const ReceivedRequest& request) {
    std::lock_guard lock(mutex_);
    entries_.push_back({connection, request});
}

std::vector<LoggedRequest> RequestLog::entries() const {
    std::lock_guard lock(mutex_);
    return entries_;
}

Script read_request_then_reset(RequestLog& log) {
    return [&log](UpstreamConnection& connection) {
        if (auto request = connection.read_request()) log.add(connection.index(), *request);
        connection.reset();
    };
}

Script serve_logged(RequestLog& log, std::function<std::string(const ReceivedRequest&)> responder) {
    return [&log, responder = std::move(responder)](UpstreamConnection& connection) {
        while (auto request = connection.read_request(keep_alive_wait)) {
            log.add(connection.index(), *request);
            connection.write(responder(*request));
        }
    };
}

}  // namespace rtproxy::integration
