#include "harness/upstream_scripts.hpp"

namespace rtproxy::integration {

Script serve(std::function<std::string(const ReceivedRequest&)> responder) {
    return [responder = std::move(responder)](UpstreamConnection& connection) {
        while (auto request = connection.read_request(keep_alive_wait)) connection.write(responder(*request));
    };
}

Script respond_with(std::string response) {
    return serve([response = std::move(response)](const ReceivedRequest&) { return response; });
}

}  // namespace rtproxy::integration
