#pragma once
// formscan-registry: the reference district registry (openapi.yaml in this folder).
// Stores validated records sent by township offices: a batch is stored whole or not at
// all, a repeated idempotency key gets the first answer and is never stored twice, one
// current record per ID number is kept with the history of its sources, and counts by
// township and village are served. SQLite by default, PostgreSQL by configuration.
#include <memory>
#include <string>

namespace formscan::registry {

struct RegistryOptions {
    std::string store_url;        // as for ReviewStore: "sqlite:PATH" or "postgresql:..."
    std::string token;            // the bearer token clients must send
    std::string host = "127.0.0.1";
    unsigned short port = 8443;   // 0: any free port
    int threads = 8;
    // HTTPS: the server's certificate and key (PEM); plain HTTP when empty.
    std::string certificate, private_key;
    // For fault tests only: the share of requests answered 503, 429 (Retry-After 1) or
    // 500 after storing the batch, whose connection is cut after storing it, or that hang.
    // "hang": the answer comes after hang_ms (longer than the client's receive timeout).
    double fault_rate = 0;
    unsigned fault_seed = 1;
    int hang_ms = 4000;
};

class RegistryServer {
public:
    explicit RegistryServer(RegistryOptions options);  // opens the store; throws formscan::Error
    ~RegistryServer();
    RegistryServer(const RegistryServer&) = delete;
    RegistryServer& operator=(const RegistryServer&) = delete;
    void start();
    void stop();
    unsigned short port() const;

    struct State;

private:
    std::unique_ptr<State> state_;
};

}  // namespace formscan::registry
