#pragma once
// The review station's HTTP server (`formscan serve`): the static page from web/ and a
// small JSON API over the review store, with sign-in, roles and CSRF protection.
//
//   POST /api/session               sign in {name, password}: sets the HttpOnly session cookie
//   GET  /api/session               who is signed in, and the CSRF token
//   POST /api/session/end           sign out
//   POST /api/items/next            reviewer: claim the least certain open item
//   GET  /api/items/ID/crop         the item's crop (PNG)
//   POST /api/items/ID/correct      reviewer: {value, keystrokes, force}; validated again
//   POST /api/items/ID/skip         reviewer: give the item back
//   GET  /api/items/ID/history      the item's audit trail
//   GET  /api/pages/ID/image        the straightened page (PNG), for context
//   GET  /api/stats                 open, done and held items; keystrokes per correction
//   GET  /api/export?format=F       the store's records as jsonl, csv or xlsx
//   GET  /api/users, POST /api/users, POST /api/users/NAME/delete    admin only
//
// Every request that changes something needs the session's token in X-CSRF-Token
// (sign-in needs a JSON body, which no cross-site form can send). Roles: operator
// (scans: statistics and exports), reviewer (corrects), admin (everything, and users).
#include <chrono>
#include <memory>
#include <string>

namespace formscan {

struct ReviewServerOptions {
    std::string store_url;          // as for ReviewStore
    std::string web_dir;            // the page's static files
    std::string plugin_dir;         // for validating corrections again
    std::string templates_dir;
    std::string host = "127.0.0.1";
    unsigned short port = 8080;     // 0: any free port (see ReviewServer::port())
    int threads = 8;
    std::chrono::seconds lease{600};             // how long a claimed item stays the reviewer's
    std::chrono::seconds session_lifetime{8 * 3600};
    bool secure_cookies = false;    // add Secure to the cookie (behind an HTTPS proxy)
};

class ReviewServer {
public:
    // Opens the store, loads templates and plugins; throws formscan::Error when it cannot.
    explicit ReviewServer(ReviewServerOptions options);
    ~ReviewServer();
    ReviewServer(const ReviewServer&) = delete;
    ReviewServer& operator=(const ReviewServer&) = delete;

    void start();
    void stop();
    unsigned short port() const;  // the bound port, once started

    struct State;  // shared by the request handlers

private:
    std::unique_ptr<State> state_;
};

}  // namespace formscan
