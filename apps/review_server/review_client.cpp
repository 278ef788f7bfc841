#include "review_client.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/StreamCopier.h>

#include <sstream>

namespace formscan {

Poco::JSON::Object::Ptr ReviewReply::json() const { return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>(); }

ReviewClient::ReviewClient(const std::string& host, unsigned short port) : http_(host, port) { http_.setKeepAlive(true); }

ReviewReply ReviewClient::call(const std::string& method, const std::string& path, const std::string& body, bool with_csrf,
                               const std::string& content_type) {
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(true);
    if (!cookie_.empty()) {
        Poco::Net::NameValueCollection cookies;
        cookies.add("formscan_session", cookie_);
        request.setCookies(cookies);
    }
    if (with_csrf && !csrf_.empty()) request.set("X-CSRF-Token", csrf_);
    if (!body.empty()) {
        request.setContentType(content_type);
        request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    http_.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    ReviewReply reply;
    Poco::StreamCopier::copyToString(http_.receiveResponse(response), reply.body);
    reply.status = response.getStatus();
    reply.set_cookie = response.get("Set-Cookie", "");
    return reply;
}

ReviewReply ReviewClient::sign_in(const std::string& name, const std::string& password) {
    Poco::JSON::Object body;
    body.set("name", name);
    body.set("password", password);
    std::ostringstream text;
    body.stringify(text);
    ReviewReply r = call("POST", "/api/session", text.str());
    if (r.status == 200) {
        csrf_ = r.json()->getValue<std::string>("csrf");
        auto start = r.set_cookie.find('=') + 1;
        cookie_ = r.set_cookie.substr(start, r.set_cookie.find(';') - start);
    }
    return r;
}

}  // namespace formscan
