// TLS on both sides. An https upstream: rtproxy speaks TLS to it, checks its certificate against
// --upstream-ca (or skips that with --upstream-insecure), and says so when the handshake
// fails (peer: cpp-httplib's SSLServer). A TLS listener (--tls-cert): rtproxy terminates TLS.
#include <httplib.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "test_support.hpp"

using namespace rtproxy::integration;

namespace {

// A self-signed certificate for 127.0.0.1 / localhost, made with the openssl CLI.
struct TestCertificate {
    TempDir dir;
    std::filesystem::path cert = dir.file("cert.pem");
    std::filesystem::path key = dir.file("key.pem");
    TestCertificate() {
        auto made = run_command({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                                 "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout",
                                 key.string(), "-out", cert.string()});
        INFO(made.describe());
        REQUIRE(made.exit_code == 0);
    }
};

class TlsUpstream {
public:
    explicit TlsUpstream(const TestCertificate& certificate)
        : server_(certificate.cert.c_str(), certificate.key.c_str()) {
        server_.Get("/hello", [](const httplib::Request& req, httplib::Response& res) {
            res.set_content("hello over tls, X-Forwarded-Proto was " + req.get_header_value("X-Forwarded-Proto"),
                            "text/plain");
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        REQUIRE(port_ > 0);
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
        if (!server_.is_running()) {
            // The destructor does not run for a throwing constructor: join here, or the
            // joinable thread would terminate the whole test run instead of failing this test.
            server_.stop();
            thread_.join();
            FAIL("the TLS upstream did not start within 5 s");
        }
    }
    ~TlsUpstream() {
        server_.stop();
        if (thread_.joinable()) thread_.join();
    }
    int port() const { return port_; }

private:
    httplib::SSLServer server_;
    int port_ = 0;
    std::thread thread_;
};

// Speaks TLS on one connection, reads the request head, then closes the TCP connection
// without a TLS close_notify, as many servers do when they drop a connection.
class TruncatingTlsUpstream {
public:
    explicit TruncatingTlsUpstream(const TestCertificate& certificate) : context_(SSL_CTX_new(TLS_server_method())) {
        REQUIRE(context_ != nullptr);
        REQUIRE(SSL_CTX_use_certificate_file(context_, certificate.cert.c_str(), SSL_FILETYPE_PEM) == 1);
        REQUIRE(SSL_CTX_use_PrivateKey_file(context_, certificate.key.c_str(), SSL_FILETYPE_PEM) == 1);
        thread_ = std::thread([this] { serve_one(); });
    }
    ~TruncatingTlsUpstream() {
        listener_.shutdown_both();  // ends a wait in accept()
        thread_.join();
        SSL_CTX_free(context_);
    }
    int port() const { return listener_.local_port(); }
    bool read_a_request() const { return read_a_request_; }

private:
    void serve_one() {
        Socket connection = listener_.accept(Millis{10000});
        if (!connection.valid()) return;
        const timeval bound{10, 0};  // a stuck handshake or read ends the test instead of hanging it
        setsockopt(connection.fd(), SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
        setsockopt(connection.fd(), SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound);
        SSL* tls = SSL_new(context_);
        SSL_set_fd(tls, connection.fd());
        if (SSL_accept(tls) == 1) {
            std::string received;
            char buffer[4096];
            while (received.find("\r\n\r\n") == std::string::npos) {
                const int n = SSL_read(tls, buffer, sizeof buffer);
                if (n <= 0) break;
                received.append(buffer, static_cast<std::size_t>(n));
            }
            read_a_request_ = received.find("\r\n\r\n") != std::string::npos;
        }
        connection.close();  // TCP FIN with no SSL_shutdown before it: no close_notify
        SSL_free(tls);
    }

    SSL_CTX* context_;
    Socket listener_ = Socket::bind_loopback(true);
    std::atomic<bool> read_a_request_{false};
    std::thread thread_;  // last: starts after every member it uses exists
};

std::string https_upstream(int port) { return "https://127.0.0.1:" + std::to_string(port); }

}  // namespace

TEST_CASE("an https upstream is reached over TLS, verified against --upstream-ca, and its connection reused") {
    TestCertificate certificate;
    TlsUpstream upstream(certificate);
    ProxyProcess proxy(0, {"--upstream", https_upstream(upstream.port()), "--upstream-ca", certificate.cert.string()});
    // Two URLs in one curl: one client connection, so one worker and its upstream pool.
    auto result = curl({url(proxy.port(), "/hello"), url(proxy.port(), "/hello")});
    INFO(result.describe());
    CHECK(result.exit_code == 0);
    CHECK(result.out == "hello over tls, X-Forwarded-Proto was httphello over tls, X-Forwarded-Proto was http");
    auto records = proxy.wait_for_round_trips(2);
    INFO(show(records));
    CHECK(at(records[0], "/upstream/scheme") == "https");
    CHECK(at(records[0], "/attempts/0/status") == 200);
    CHECK(at(records[0], "/attempts/0/timings/tls_ms").is_number());
    CHECK(at(records[0], "/attempts/0/conn/reused") == false);
    CHECK(at(records[1], "/attempts/0/conn/reused") == true);
    CHECK(at(records[1], "/attempts/0/timings/tls_ms").is_null());
    proxy.stop();
}

TEST_CASE("an https upstream whose certificate is not trusted gives a 502 and a tls error on the attempt") {
    TestCertificate certificate;
    TlsUpstream upstream(certificate);
    ProxyProcess proxy(0, {"--upstream", https_upstream(upstream.port())});  // system CAs only
    auto result = curl({"-o", "/dev/null", "-w", "%{http_code}", url(proxy.port(), "/hello")});
    CHECK(result.out == "502");
    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(at(record, "/response/source") == "proxy");
    CHECK(at(record, "/outcome") == "upstream_error");
    CHECK(at(record, "/attempts/0/error/op") == "tls");
    CHECK(at(record, "/attempts/0/error/peer") == "upstream");
    CHECK(at(record, "/attempts/0/error/kind") == "tls");
    CHECK(at(record, "/attempts/0/error/message").get<std::string>().find("certificate") != std::string::npos);
    proxy.stop();
}

TEST_CASE("with --upstream-insecure a self-signed https upstream is accepted") {
    TestCertificate certificate;
    TlsUpstream upstream(certificate);
    ProxyProcess proxy(0, {"--upstream", https_upstream(upstream.port()), "--upstream-insecure"});
    auto result = curl({url(proxy.port(), "/hello")});
    INFO(result.describe());
    CHECK(result.out == "hello over tls, X-Forwarded-Proto was http");
    auto record = proxy.wait_for_round_trips(1).at(0);
    CHECK(at(record, "/outcome") == "ok");
    proxy.stop();
}

TEST_CASE("with --tls-cert rtproxy terminates TLS: the client is marked tls and X-Forwarded-Proto is https") {
    TestCertificate certificate;
    ScriptedUpstream upstream(respond_with(http_response(200, "plain upstream\n", {{"Content-Type", "text/plain"}})));
    ProxyProcess proxy(upstream.port(),
                       {"--tls-cert", certificate.cert.string(), "--tls-key", certificate.key.string()});
    CHECK(proxy.listening().at("listen").at(0).at("tls") == true);
    const std::string https_url = "https://127.0.0.1:" + std::to_string(proxy.port()) + "/secure";
    auto result = curl({"--cacert", certificate.cert.string(), https_url});
    INFO(result.describe());
    CHECK(result.exit_code == 0);
    CHECK(result.out == "plain upstream\n");

    // A client speaking plain HTTP to the TLS port gets no HTTP answer; rtproxy keeps serving.
    auto plain = curl({"-o", "/dev/null", "-w", "%{http_code}", url(proxy.port(), "/plain")});
    CHECK(plain.out != "200");
    auto again = curl({"--cacert", certificate.cert.string(), https_url});
    CHECK(again.out == "plain upstream\n");

    auto records = proxy.wait_for_round_trips(2);
    INFO(show(records));
    CHECK(at(records[0], "/client/tls") == true);
    CHECK(at(records[0], "/x_forwarded_proto") == "https");
    CHECK(header_value(at(records[0], "/upstream_request/headers"), "X-Forwarded-Proto") == "https");
    CHECK(upstream.received(0).find("X-Forwarded-Proto: https\r\n") != std::string::npos);
    proxy.stop();
}

TEST_CASE("rtproxy --tls-cert without --tls-key is a bad option") {
    TestCertificate certificate;
    auto result = run_rtproxy({"--upstream", "127.0.0.1:9", "--tls-cert", certificate.cert.string()});
    CHECK(result.exit_code == 2);
    CHECK(result.err == "rtproxy: --tls-cert needs --tls-key\n");
}

TEST_CASE("an https upstream that closes without close_notify before responding is an eof, as over TCP") {
    TestCertificate certificate;
    TruncatingTlsUpstream upstream(certificate);
    ProxyProcess proxy(0, {"--upstream", https_upstream(upstream.port()), "--upstream-ca", certificate.cert.string()});
    auto result = curl({"-o", "/dev/null", "-w", "%{http_code}", url(proxy.port(), "/gone")});
    CHECK(result.out == "502");
    auto record = proxy.wait_for_round_trips(1).at(0);
    INFO(show(record));
    CHECK(upstream.read_a_request());
    CHECK(at(record, "/response/source") == "proxy");
    CHECK(at(record, "/outcome") == "upstream_error");
    CHECK(at(record, "/attempts/0/error/op") == "read");
    CHECK(at(record, "/attempts/0/error/peer") == "upstream");
    CHECK(at(record, "/attempts/0/error/phase") == "response_head");
    CHECK(at(record, "/attempts/0/error/kind") == "eof");
    CHECK(at(record, "/attempts/0/retry/reason").get<std::string>().find("upstream closed the connection before responding") == 0);
    proxy.stop();
}
