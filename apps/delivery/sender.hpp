#pragma once
// Sends the review store's outbox to the district registry (apps/registry/openapi.yaml)
// with Poco's HTTP client: batches with idempotency keys, so that a retry after any
// failure (a timeout, a cut connection, a 5xx, a kept-alive connection the server
// closed) can never store a record twice; exponential backoff with jitter between tries,
// honouring Retry-After; HTTPS with certificate verification on by default.
#include "formscan/review_store.hpp"

#include <chrono>
#include <functional>
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

// Sends until the outbox is empty or the registry keeps failing. Throws formscan::Error
// delivery.unauthorised when the registry refuses the token (retrying cannot help).
// `sleep` is for tests; by default the thread sleeps.
PushSummary push_outbox(ReviewStore& store, const SenderOptions& options,
                        const std::function<void(std::chrono::milliseconds)>& sleep = {});

}  // namespace formscan
