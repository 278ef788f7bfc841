#pragma once
// Sends the review store's outbox to the district registry (apps/registry/openapi.yaml)
// with Poco's HTTP client: batches with idempotency keys, so that a retry after any
// failure (a timeout, a cut connection, a 5xx, a kept-alive connection the server
// closed) can never store a record twice; exponential backoff with jitter between tries,
// honouring Retry-After; HTTPS with certificate verification on by default.
#include "formscan/review_store.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/URI.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <string>

namespace formscan {

struct SenderOptions {
    std::string url;                 // the registry, e.g. https://registry.example:8443
    std::string token;               // bearer token
    std::string ca_file;             // extra CA certificates (PEM) to trust, e.g. the district's own CA
    bool verify_tls = true;
    int batch = 100;                 // records per request (1 = no batching)
    std::chrono::milliseconds connect_timeout{5000}, send_timeout{30000}, receive_timeout{30000};
    double first_delay_s = 0.2, max_delay_s = 30;  // backoff: first wait and ceiling
    int max_failures = 12;           // tries in a row without progress before giving up (pending stays pending)
};

struct PushSummary {
    long sent = 0, refused = 0, pending = 0;
    int failures = 0;                // requests that failed and were retried
    std::string last_error;
};

// A client session for an http(s) URL with the options' timeouts and TLS settings
// (certificates verified unless verify_tls is off). Throws delivery.url for other schemes.
std::unique_ptr<Poco::Net::HTTPClientSession> open_http_session(const Poco::URI& uri, const SenderOptions& options);

// Sends until the outbox is empty or the registry keeps failing. Throws formscan::Error
// delivery.unauthorised when the registry refuses the token (retrying cannot help).
// `sleep` is for tests; by default the thread sleeps.
PushSummary push_outbox(ReviewStore& store, const SenderOptions& options,
                        const std::function<void(std::chrono::milliseconds)>& sleep = {});

// Sends the outbox of the store at `store_url` every few seconds on a thread of its own
// while records are being read (`run --push`, `worker --push`), and once more at finish().
// The destructor stops it without the last send.
class BackgroundPusher {
public:
    BackgroundPusher(std::string store_url, SenderOptions options, std::chrono::seconds interval = std::chrono::seconds(3));
    ~BackgroundPusher();
    BackgroundPusher(const BackgroundPusher&) = delete;
    BackgroundPusher& operator=(const BackgroundPusher&) = delete;
    // Sends what is left, stops, and sums up every send.
    PushSummary finish();

private:
    void loop(std::string store_url, SenderOptions options, std::chrono::seconds interval);
    std::atomic<bool> running_{true};
    bool send_last_ = false;
    std::mutex mutex_;
    std::condition_variable wake_;
    PushSummary total_;
    std::thread thread_;
};

}  // namespace formscan
