#include "review_server.hpp"

#include "formscan/accounts.hpp"
#include "formscan/connection_pool.hpp"
#include "formscan/error.hpp"
#include "formscan/export.hpp"
#include "formscan/masking.hpp"
#include "formscan/paths.hpp"
#include "formscan/plugin_host.hpp"
#include "formscan/revalidation.hpp"
#include "formscan/text_utils.hpp"
#include "formscan/review_store.hpp"

#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>
#include <Poco/URI.h>

#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

namespace formscan {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using JsonObject = Poco::JSON::Object::Ptr;

namespace {

constexpr const char* kCookie = "formscan_session";
constexpr std::streamsize kMaxBody = 64 * 1024;

// One store connection and one accounts connection per request thread, reused.
struct Connection {
    explicit Connection(const std::string& url) : store(url), accounts(url) {}
    ReviewStore store;
    Accounts accounts;
};

// A problem the client caused (or may see): answered with its status and reason.
struct HttpError : std::runtime_error {
    HttpError(HTTPResponse::HTTPStatus status, const std::string& reason) : std::runtime_error(reason), status(status) {}
    HTTPResponse::HTTPStatus status;
};

}  // namespace

struct ReviewServer::State {
    ReviewServerOptions options;
    std::map<std::string, FormTemplate> templates;
    std::unique_ptr<PluginHost> host;
    std::unique_ptr<Revalidator> revalidate;
    std::unique_ptr<Poco::Net::HTTPServer> server;
    Poco::Logger& log = Poco::Logger::get("formscan.serve");

    ConnectionPool<Connection> connections{[this] { return std::make_unique<Connection>(options.store_url); }};

    std::unique_ptr<Connection> borrow() { return connections.borrow(); }
    void give_back(std::unique_ptr<Connection> c) { connections.give_back(std::move(c)); }
};

namespace {

std::string to_json(const Poco::Dynamic::Var& value) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(value, out);
    return out.str();
}

void security_headers(HTTPServerResponse& response) {
    response.set("X-Content-Type-Options", "nosniff");
    response.set("X-Frame-Options", "DENY");
    response.set("Referrer-Policy", "no-referrer");
    response.set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob:; frame-ancestors 'none'");
}

void send(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const std::string& type, const std::string& body) {
    response.setStatus(status);
    response.setContentType(type);
    response.setContentLength64(static_cast<Poco::UInt64>(body.size()));
    response.send() << body;
}

void send_json(HTTPServerResponse& response, const Poco::Dynamic::Var& value, HTTPResponse::HTTPStatus status = HTTPResponse::HTTP_OK) {
    response.set("Cache-Control", "no-store");
    send(response, status, "application/json; charset=utf-8", to_json(value));
}

void send_bytes(HTTPServerResponse& response, const std::vector<unsigned char>& bytes, const std::string& type) {
    if (bytes.empty()) throw HttpError(HTTPResponse::HTTP_NOT_FOUND, "no image");
    response.set("Cache-Control", "private, max-age=3600");
    response.setContentType(type);
    response.sendBuffer(bytes.data(), bytes.size());
}

JsonObject read_json(HTTPServerRequest& request) {
    if (request.getContentType().rfind("application/json", 0) != 0)
        throw HttpError(HTTPResponse::HTTP_UNSUPPORTED_MEDIA_TYPE, "the body must be application/json");
    if (request.getContentLength64() > kMaxBody) throw HttpError(HTTPResponse::HTTP_REQUESTENTITYTOOLARGE, "body over 64 KiB");
    std::string body;
    Poco::StreamCopier::copyToString(request.stream(), body, 8192);
    if (static_cast<std::streamsize>(body.size()) > kMaxBody) throw HttpError(HTTPResponse::HTTP_REQUESTENTITYTOOLARGE, "body over 64 KiB");
    try {
        return Poco::JSON::Parser().parse(body).extract<JsonObject>();
    } catch (const Poco::Exception&) {
        throw HttpError(HTTPResponse::HTTP_BAD_REQUEST, "the body is not a JSON object");
    }
}

std::string string_member(const JsonObject& o, const std::string& key) {
    if (!o->has(key) || !o->get(key).isString()) throw HttpError(HTTPResponse::HTTP_BAD_REQUEST, "\"" + key + "\" must be a string");
    return o->getValue<std::string>(key);
}

const char* content_type_of(const std::string& path) {
    static const std::map<std::string, const char*> types = {{"html", "text/html; charset=utf-8"},
                                                             {"js", "text/javascript; charset=utf-8"},
                                                             {"mjs", "text/javascript; charset=utf-8"},
                                                             {"css", "text/css; charset=utf-8"},
                                                             {"svg", "image/svg+xml"},
                                                             {"png", "image/png"},
                                                             {"ico", "image/x-icon"}};
    auto it = types.find(Poco::Path(path).getExtension());
    return it == types.end() ? nullptr : it->second;
}

class Handler : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(ReviewServer::State& state) : state_(state) {}

    void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
        security_headers(response);
        auto connection = state_.borrow();
        bool healthy = true;
        try {
            route(*connection, request, response);
        } catch (const HttpError& e) {
            discard_body(request, response);
            state_.log.information("%s %s: %d %s", request.getMethod(), request.getURI(), static_cast<int>(e.status),
                                   mask_personal_data(e.what()));
            reply_error(response, e.status, e.what());
        } catch (const Error& e) {
            discard_body(request, response);
            const bool not_held = e.code() == "formscan.store.not_held";
            state_.log.warning("%s %s: %s", request.getMethod(), request.getURI(), mask_personal_data(e.what()));
            reply_error(response, not_held ? HTTPResponse::HTTP_CONFLICT : HTTPResponse::HTTP_BAD_REQUEST, mask_personal_data(e.what()));
        } catch (const std::exception& e) {
            // Perhaps the database went away: this connection is not reused.
            healthy = false;
            if (!response.sent()) response.setKeepAlive(false);
            state_.log.error("%s %s failed: %s", request.getMethod(), request.getURI(), mask_personal_data(e.what()));
            reply_error(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "internal error (see the server's log)");
        }
        if (healthy) state_.give_back(std::move(connection));
    }

private:
    // A body left unread would be taken for the next request on a kept-alive connection,
    // and a client still sending it could not read the answer (its send fails when the
    // connection closes): up to 4 times the limit is read and dropped (as the registry
    // does); beyond, the connection closes after the answer.
    static void discard_body(HTTPServerRequest& request, HTTPServerResponse& response) {
        if (response.sent()) return;
        if (request.getContentLength64() > 4 * kMaxBody || (request.getChunkedTransferEncoding() && request.getContentLength64() < 0)) {
            response.setKeepAlive(false);
            return;
        }
        request.stream().ignore(4 * kMaxBody);
    }

    static void reply_error(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const std::string& reason) {
        if (response.sent()) return;
        JsonObject o = new Poco::JSON::Object;
        o->set("error", reason);
        send_json(response, o, status);
    }

    std::optional<SignIn> signed_in(Connection& c, HTTPServerRequest& request) {
        Poco::Net::NameValueCollection cookies;
        request.getCookies(cookies);
        if (!cookies.has(kCookie)) return std::nullopt;
        return c.accounts.session(cookies.get(kCookie));
    }

    SignIn require(Connection& c, HTTPServerRequest& request, std::initializer_list<Role> roles, bool changes) {
        auto who = signed_in(c, request);
        if (!who) throw HttpError(HTTPResponse::HTTP_UNAUTHORIZED, "sign in first");
        if (changes && !equal_constant_time(request.get("X-CSRF-Token", ""), who->csrf))
            throw HttpError(HTTPResponse::HTTP_FORBIDDEN, "missing or wrong CSRF token (X-CSRF-Token)");
        if (std::find(roles.begin(), roles.end(), who->user.role) == roles.end())
            throw HttpError(HTTPResponse::HTTP_FORBIDDEN, std::string("not allowed for the role ") + to_string(who->user.role));
        return *who;
    }

    void route(Connection& c, HTTPServerRequest& request, HTTPServerResponse& response) {
        const std::string method = request.getMethod();
        const Poco::URI uri(request.getURI());
        const std::string path = uri.getPath();
        const bool post = method == "POST", get = method == "GET";
        static const std::regex item_route(R"(/api/items/(\d+)/(crop|correct|skip|history))");
        static const std::regex page_route(R"(/api/pages/(\d+)/image)");
        static const std::regex user_delete_route(R"(/api/users/([^/]+)/delete)");
        std::smatch m;

        if (path == "/api/session" && post) return sign_in(c, request, response);
        if (path == "/api/session" && get) {
            auto who = signed_in(c, request);
            if (!who) throw HttpError(HTTPResponse::HTTP_UNAUTHORIZED, "not signed in");
            return send_json(response, session_json(*who));
        }
        if (path == "/api/session/end" && post) {
            SignIn who = require(c, request, {Role::operator_, Role::reviewer, Role::admin}, true);
            c.accounts.sign_out(who.token);
            Poco::Net::HTTPCookie gone(kCookie, "");
            gone.setPath("/");
            gone.setMaxAge(0);
            response.addCookie(gone);
            return send_json(response, JsonObject(new Poco::JSON::Object));
        }
        if (path == "/api/items/next" && post) {
            SignIn who = require(c, request, {Role::reviewer, Role::admin}, true);
            auto item = c.store.claim_next(who.user.name, state_.options.lease);
            if (!item) {
                response.setStatus(HTTPResponse::HTTP_NO_CONTENT);
                response.send().flush();
                return;
            }
            return send_json(response, item_json(*item));
        }
        if (std::regex_match(path, m, item_route)) {
            const long id = std::stol(m[1]);
            const std::string action = m[2];
            if (action == "crop" && get) {
                require(c, request, {Role::reviewer, Role::admin}, false);
                return send_bytes(response, c.store.crop_png(id), "image/png");
            }
            if (action == "history" && get) {
                require(c, request, {Role::reviewer, Role::admin}, false);
                Poco::JSON::Array::Ptr arr = new Poco::JSON::Array;
                for (const auto& h : c.store.history(id)) {
                    JsonObject o = new Poco::JSON::Object;
                    o->set("reviewer", h.reviewer);
                    o->set("at", h.at);
                    o->set("old_value", h.old_value);
                    o->set("new_value", h.new_value);
                    arr->add(o);
                }
                return send_json(response, arr);
            }
            if (action == "skip" && post) {
                SignIn who = require(c, request, {Role::reviewer, Role::admin}, true);
                c.store.release(id, who.user.name);
                return send_json(response, JsonObject(new Poco::JSON::Object));
            }
            if (action == "correct" && post) return correct(c, request, response, id);
        }
        if (std::regex_match(path, m, page_route) && get) {
            require(c, request, {Role::reviewer, Role::admin}, false);
            return send_bytes(response, c.store.page_png(std::stol(m[1])), "image/png");
        }
        if (path == "/api/stats" && get) {
            require(c, request, {Role::operator_, Role::reviewer, Role::admin}, false);
            ReviewStats s = c.store.stats();
            JsonObject o = new Poco::JSON::Object;
            o->set("open", s.open);
            o->set("done", s.done);
            o->set("held", s.held);
            o->set("median_keystrokes", s.median_keystrokes);
            o->set("counted_corrections", s.counted_corrections);
            return send_json(response, o);
        }
        if (path == "/api/export" && get) {
            require(c, request, {Role::operator_, Role::reviewer, Role::admin}, false);
            return export_records(c, uri, response);
        }
        if (path == "/api/users" && get) {
            require(c, request, {Role::admin}, false);
            Poco::JSON::Array::Ptr arr = new Poco::JSON::Array;
            for (const auto& u : c.accounts.users()) {
                JsonObject o = new Poco::JSON::Object;
                o->set("name", u.name);
                o->set("role", to_string(u.role));
                arr->add(o);
            }
            return send_json(response, arr);
        }
        if (path == "/api/users" && post) {
            SignIn who = require(c, request, {Role::admin}, true);
            JsonObject body = read_json(request);
            const std::string name = string_member(body, "name");
            c.accounts.set_user(name, string_member(body, "password"), role_from_name(string_member(body, "role")));
            state_.log.notice("user %s set by %s", name, who.user.name);
            return send_json(response, JsonObject(new Poco::JSON::Object));
        }
        if (std::regex_match(path, m, user_delete_route) && post) {
            SignIn who = require(c, request, {Role::admin}, true);
            std::string name;
            Poco::URI::decode(m[1], name);
            if (name == who.user.name) throw HttpError(HTTPResponse::HTTP_CONFLICT, "an admin cannot remove themselves");
            if (!c.accounts.remove_user(name)) throw HttpError(HTTPResponse::HTTP_NOT_FOUND, "no such user");
            return send_json(response, JsonObject(new Poco::JSON::Object));
        }
        if (path.rfind("/api/", 0) == 0) throw HttpError(HTTPResponse::HTTP_NOT_FOUND, "no such API: " + method + " " + path);
        if (!get && method != "HEAD") throw HttpError(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "only GET for pages");
        static_file(c, request, response, path);
    }

    void static_file(Connection& c, HTTPServerRequest& request, HTTPServerResponse& response, const std::string& path) {
        std::string name = path == "/" ? "index.html" : path.substr(1);
        // Only plain names of the web folder: no folders, no "..", no hidden files.
        if (name.empty() || name.find('/') != std::string::npos || name.front() == '.' || !content_type_of(name))
            throw HttpError(HTTPResponse::HTTP_NOT_FOUND, "not found");
        // The admin page is the admin's only; other pages check the role through the API.
        if (name == "admin.html") require(c, request, {Role::admin}, false);
        const std::string file = state_.options.web_dir + "/" + name;
        if (!Poco::File(file).exists()) throw HttpError(HTTPResponse::HTTP_NOT_FOUND, "not found");
        response.set("Cache-Control", "no-cache");
        response.sendFile(file, content_type_of(name));
    }

    JsonObject session_json(const SignIn& who) {
        JsonObject o = new Poco::JSON::Object;
        o->set("user", who.user.name);
        o->set("role", to_string(who.user.role));
        o->set("csrf", who.csrf);
        return o;
    }

    void sign_in(Connection& c, HTTPServerRequest& request, HTTPServerResponse& response) {
        JsonObject body = read_json(request);
        const std::string name = string_member(body, "name");
        auto in = c.accounts.sign_in(name, string_member(body, "password"), state_.options.session_lifetime);
        if (!in) {
            state_.log.notice("failed sign-in for %s from %s", name, request.clientAddress().host().toString());
            throw HttpError(HTTPResponse::HTTP_UNAUTHORIZED, "wrong name or password");
        }
        Poco::Net::HTTPCookie cookie(kCookie, in->token);
        cookie.setPath("/");
        cookie.setHttpOnly(true);
        cookie.setSameSite(Poco::Net::HTTPCookie::SAME_SITE_STRICT);
        cookie.setSecure(state_.options.secure_cookies);
        cookie.setMaxAge(static_cast<int>(state_.options.session_lifetime.count()));
        response.addCookie(cookie);
        state_.log.information("%s signed in as %s", name, std::string(to_string(in->user.role)));
        send_json(response, session_json(*in));
    }

    JsonObject item_json(const ReviewItem& item) {
        JsonObject o = new Poco::JSON::Object;
        o->set("id", item.id);
        o->set("field", item.field);
        auto form = state_.templates.find(item.template_id);
        const FieldSpec* spec = nullptr;
        if (form != state_.templates.end())
            for (const auto& f : form->second.fields)
                if (f.key == item.field) spec = &f;
        o->set("label", spec ? spec->label : item.field);
        o->set("type", spec ? to_string(spec->type) : "text");
        o->set("value", item.value);
        o->set("confidence", item.confidence);
        o->set("status", item.status);
        o->set("problem", mask_personal_data(item.problem));
        Poco::JSON::Array::Ptr alternatives = new Poco::JSON::Array;
        for (const auto& a : item.alternatives) {
            JsonObject alt = new Poco::JSON::Object;
            alt->set("value", a.value);
            alt->set("score", a.score);
            alternatives->add(alt);
        }
        o->set("alternatives", alternatives);
        o->set("source", Poco::Path(item.source).getFileName());
        o->set("page", item.page + 1);
        o->set("row", item.row);
        o->set("page_id", item.page_id);
        Poco::JSON::Array::Ptr box = new Poco::JSON::Array;
        for (int v : {item.box.x, item.box.y, item.box.width, item.box.height}) box->add(v);
        o->set("box", box);
        o->set("lease_seconds", static_cast<long>(state_.options.lease.count()));
        return o;
    }

    void correct(Connection& c, HTTPServerRequest& request, HTTPServerResponse& response, long id) {
        SignIn who = require(c, request, {Role::reviewer, Role::admin}, true);
        JsonObject body = read_json(request);
        Correction correction;
        correction.value = string_member(body, "value");
        if (body->has("keystrokes")) correction.keystrokes = body->getValue<int>("keystrokes");
        if (body->has("force")) correction.force = body->getValue<bool>("force");
        CorrectionResult result = c.store.correct(id, who.user.name, correction, *state_.revalidate);
        JsonObject o = new Poco::JSON::Object;
        o->set("saved", result.saved);
        Poco::JSON::Array::Ptr errors = new Poco::JSON::Array;
        for (const auto& e : result.errors) {
            JsonObject err = new Poco::JSON::Object;
            err->set("rule", e.rule);
            err->set("message", mask_personal_data(e.message));
            errors->add(err);
        }
        o->set("errors", errors);
        o->set("record_status", to_string(result.record_status));
        o->set("record_open_items", result.record_open_items);
        if (result.saved) state_.log.information("item %ld corrected by %s", id, who.user.name);
        send_json(response, o, result.saved ? HTTPResponse::HTTP_OK : HTTPResponse::HTTP_UNPROCESSABLE_ENTITY);
    }

    void export_records(Connection& c, const Poco::URI& uri, HTTPServerResponse& response) {
        std::string format_name = "jsonl", template_id;
        for (const auto& [key, value] : uri.getQueryParameters()) {
            if (key == "format") format_name = value;
            if (key == "template") template_id = value;
        }
        ExportFormat format;
        try {
            format = export_format_from_name(format_name);
        } catch (const Error& e) {
            throw HttpError(HTTPResponse::HTTP_BAD_REQUEST, e.what());
        }
        std::vector<Record> records = c.store.records();
        if (template_id.empty() && !records.empty()) template_id = records.front().template_id;
        auto form = state_.templates.find(template_id);
        if (form == state_.templates.end()) throw HttpError(HTTPResponse::HTTP_NOT_FOUND, "no records of template " + template_id);
        std::erase_if(records, [&](const Record& r) { return r.template_id != template_id; });
        Poco::TemporaryFile file;
        formscan::export_records(form->second, records, format, file.path());
        static const std::map<ExportFormat, std::pair<const char*, const char*>> types = {
            {ExportFormat::jsonl, {"application/x-ndjson; charset=utf-8", "jsonl"}},
            {ExportFormat::csv, {"text/csv; charset=utf-8", "csv"}},
            {ExportFormat::xlsx, {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"}}};
        response.set("Content-Disposition", "attachment; filename=\"" + template_id + "." + types.at(format).second + "\"");
        response.set("Cache-Control", "no-store");
        response.sendFile(file.path(), types.at(format).first);
    }

    ReviewServer::State& state_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(ReviewServer::State& state) : state_(state) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override { return new Handler(state_); }

private:
    ReviewServer::State& state_;
};

}  // namespace

ReviewServer::ReviewServer(ReviewServerOptions options) : state_(std::make_unique<State>()) {
    state_->options = std::move(options);
    if (!Poco::File(state_->options.web_dir + "/index.html").exists())
        throw Error("formscan.serve.web_dir", "no index.html in the web folder " + state_->options.web_dir);
    state_->templates = load_templates(state_->options.templates_dir);
    state_->host = std::make_unique<PluginHost>(state_->options.plugin_dir);
    state_->host->load_all();
    state_->revalidate = std::make_unique<Revalidator>(*state_->host, state_->templates,
                                                       StageEnvironment{default_data_dir(), default_models_dir(), default_tessdata_dir()});
    // Opens the store now, so that a wrong URL is an error at start-up, not at the first request.
    state_->give_back(std::make_unique<Connection>(state_->options.store_url));
}

ReviewServer::~ReviewServer() { stop(); }

void ReviewServer::start() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(state_->options.host, state_->options.port));
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(state_->options.threads);
    params->setKeepAlive(true);
    state_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(*state_), socket, params);
    state_->server->start();
}

void ReviewServer::stop() {
    if (state_ && state_->server) {
        state_->server->stopAll(true);
        // Handlers still running use the state: wait for them before it goes.
        for (int i = 0; i < 1000 && state_->server->currentConnections() > 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        state_->server.reset();
    }
}

unsigned short ReviewServer::port() const { return state_->server ? state_->server->port() : 0; }

}  // namespace formscan
