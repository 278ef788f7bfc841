#pragma once
// A minimal client of the review station's API, as a browser would use it: one kept-alive
// connection, the session cookie and the CSRF token. For tests, benchmarks and scripts.
// Not thread-safe: one per thread.
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPClientSession.h>

#include <string>

namespace formscan {

struct ReviewReply {
    int status = 0;
    std::string body;
    std::string set_cookie;
    Poco::JSON::Object::Ptr json() const;  // throws when the body is no JSON object
};

class ReviewClient {
public:
    ReviewClient(const std::string& host, unsigned short port);
    // Sends the CSRF token when `with_csrf` and signed in; the body as `content_type`.
    ReviewReply call(const std::string& method, const std::string& path, const std::string& body = "", bool with_csrf = true,
                     const std::string& content_type = "application/json");
    // Keeps the cookie and token on success.
    ReviewReply sign_in(const std::string& name, const std::string& password);

private:
    Poco::Net::HTTPClientSession http_;
    std::string cookie_, csrf_;
};

}  // namespace formscan
