#include "registry.hpp"

#include "registry_request.hpp"

#include "formscan/connection_pool.hpp"
#include "formscan/error.hpp"
#include "formscan/masking.hpp"
#include "formscan/store_session.hpp"
#include "formscan/text_utils.hpp"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Logger.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <mutex>
#include <random>
#include <sstream>
#include <thread>

using namespace Poco::Data::Keywords;
using Poco::Net::HTTPResponse;

namespace formscan::registry {

namespace {

std::string now_iso() { return Poco::DateTimeFormatter::format(Poco::DateTime(), Poco::DateTimeFormat::ISO8601_FORMAT); }

struct ItemResult {
    std::string key, result, reason;  // result: stored, refused, conflict, not_stored
    bool repeated = false;            // stored before: the first answer again
};

// The registry's tables. One per request thread (a database session is not shared).
class RegistryStore {
public:
    explicit RegistryStore(const std::string& url) : db_(open_store_session(url)) {
        const std::string id = db_.id_column();
        db_.execute("CREATE TABLE IF NOT EXISTS deliveries (idem_key TEXT PRIMARY KEY, body_sha256 TEXT NOT NULL, "
                    "id_number TEXT NOT NULL, at TEXT NOT NULL)");
        db_.execute("CREATE TABLE IF NOT EXISTS persons (id_number TEXT PRIMARY KEY, township TEXT NOT NULL, village TEXT NOT NULL, "
                    "record TEXT NOT NULL, updated_at TEXT NOT NULL)");
        db_.execute("CREATE TABLE IF NOT EXISTS sources (id " + id + ", id_number TEXT NOT NULL, idem_key TEXT NOT NULL, "
                    "source TEXT NOT NULL, page INTEGER NOT NULL, row_no INTEGER NOT NULL, at TEXT NOT NULL)");
    }

    // The whole batch, or nothing of it: stored when every record is new (or a repeat of
    // itself) and keeps the rules; otherwise the reasons, and nothing changes.
    std::vector<ItemResult> store(const std::vector<BatchItem>& items, bool& stored) {
        std::vector<ItemResult> results;
        bool rejected = false;
        db_.begin_write();
        try {
            for (const auto& item : items) {
                ItemResult r{item.key, "", ""};
                std::string key = item.key, digest = sha256_hex(item.body);
                std::vector<std::string> digests;
                *db_.session << db_.sql("SELECT body_sha256 FROM deliveries WHERE idem_key = ?"), use(key), into(digests), now;
                if (!digests.empty()) {
                    if (digests.front() == digest) r.result = "stored", r.repeated = true;
                    else r.result = "conflict", r.reason = "the key was used before with another record", rejected = true;
                } else if (std::string why = refusal(item.record); !why.empty()) {
                    r.result = "refused", r.reason = why, rejected = true;
                } else {
                    r.result = "stored";
                    keep(item, digest);
                }
                results.push_back(r);
            }
            if (rejected) {
                db_.execute("ROLLBACK");
                for (auto& r : results)
                    if (r.result == "stored") r.result = "not_stored", r.repeated = false, r.reason = "another record of the batch was refused";
            } else {
                db_.execute("COMMIT");
            }
        } catch (...) {
            db_.execute("ROLLBACK");
            throw;
        }
        stored = !rejected;
        return results;
    }

    Poco::JSON::Array::Ptr counts() {
        std::vector<std::string> townships, villages;
        std::vector<long> counts;
        *db_.session << "SELECT township, village, COUNT(*) FROM persons GROUP BY township, village ORDER BY township, village",
            into(townships), into(villages), into(counts), now;
        Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
        for (std::size_t i = 0; i < counts.size(); ++i) {
            Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
            o->set("township", townships[i]);
            o->set("village", villages[i]);
            o->set("persons", counts[i]);
            out->add(o);
        }
        return out;
    }

private:
    void keep(const BatchItem& item, const std::string& body_digest) {
        const Record& r = item.record;
        std::string digest = body_digest, key = item.key, id_number = r.at("id_number").text(), at = now_iso();
        const Field* t = r.find("township");
        const Field* v = r.find("village");
        std::string township = t ? t->text() : "", village = v ? v->text() : "", body = item.body, source = r.source;
        int page = r.page, row = r.row;
        *db_.session << db_.sql("INSERT INTO deliveries (idem_key, body_sha256, id_number, at) VALUES (?, ?, ?, ?)"), use(key), use(digest),
            use(id_number), use(at), now;
        // One current record per person: the latest delivered.
        *db_.session << db_.sql("DELETE FROM persons WHERE id_number = ?"), use(id_number), now;
        *db_.session << db_.sql("INSERT INTO persons (id_number, township, village, record, updated_at) VALUES (?, ?, ?, ?, ?)"),
            use(id_number), use(township), use(village), use(body), use(at), now;
        *db_.session << db_.sql("INSERT INTO sources (id_number, idem_key, source, page, row_no, at) VALUES (?, ?, ?, ?, ?, ?)"),
            use(id_number), use(key), use(source), use(page), use(row), use(at), now;
    }

    StoreSession db_;
};

std::string to_json(const Poco::Dynamic::Var& v) {
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(v, out);
    return out.str();
}

}  // namespace

struct RegistryServer::State {
    RegistryOptions options;
    std::unique_ptr<Poco::Net::HTTPServer> server;
    Poco::Logger& log = Poco::Logger::get("formscan.registry");
    ConnectionPool<RegistryStore> stores{[this] { return std::make_unique<RegistryStore>(options.store_url); }};
    std::mutex mutex;  // guards rng
    std::mt19937 rng;

    std::unique_ptr<RegistryStore> borrow() { return stores.borrow(); }
    void give_back(std::unique_ptr<RegistryStore> s) { stores.give_back(std::move(s)); }
    // For fault tests: which fault this request gets ("" none).
    std::string fault() {
        if (options.fault_rate <= 0) return {};
        std::lock_guard lock(mutex);
        if (std::uniform_real_distribution<double>(0, 1)(rng) >= options.fault_rate) return {};
        static const char* kinds[] = {"503", "429", "500-after", "cut-after", "hang"};
        return kinds[std::uniform_int_distribution<int>(0, 4)(rng)];
    }
};

namespace {

class Handler : public Poco::Net::HTTPRequestHandler {
public:
    explicit Handler(RegistryServer::State& state) : state_(state) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        const std::string path = Poco::URI(request.getURI()).getPath();
        try {
            if (path == "/v1/health" && request.getMethod() == "GET") return reply(response, HTTPResponse::HTTP_OK, "{\"status\":\"ok\"}");
            if (!authorised(request)) return error(request, response, HTTPResponse::HTTP_UNAUTHORIZED, "a valid bearer token is required");
            if (path == "/v1/records" && request.getMethod() == "POST") return post_records(request, response);
            if (path == "/v1/registration" && request.getMethod() == "GET") {
                auto store = state_.borrow();
                Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
                o->set("counts", store->counts());
                state_.give_back(std::move(store));
                return reply(response, HTTPResponse::HTTP_OK, to_json(o));
            }
            error(request, response, HTTPResponse::HTTP_NOT_FOUND, "no such API: " + request.getMethod() + " " + path);
        } catch (const std::exception& e) {
            state_.log.error("%s %s failed: %s", request.getMethod(), path, mask_personal_data(e.what()));
            response.setKeepAlive(false);
            if (!response.sent()) reply(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "{\"error\":\"internal error\"}");
        }
    }

private:
    bool authorised(Poco::Net::HTTPServerRequest& request) const {
        return equal_constant_time(request.get("Authorization", ""), "Bearer " + state_.options.token);
    }

    static void reply(Poco::Net::HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const std::string& body) {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setContentLength64(body.size());
        response.send() << body;
    }

    void error(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, HTTPResponse::HTTPStatus status,
               const std::string& reason) {
        // A body left unread would be taken for the next request of a kept-alive connection;
        // a client still sending could not read the answer. Up to 4 times the limit is read
        // and dropped; beyond, the connection closes after the answer.
        if (request.getContentLength64() > static_cast<Poco::Int64>(4 * kMaxBody) || request.getChunkedTransferEncoding())
            response.setKeepAlive(false);
        else
            request.stream().ignore(static_cast<std::streamsize>(4 * kMaxBody));
        state_.log.information("%s %s: %d %s", request.getMethod(), request.getURI(), static_cast<int>(status), mask_personal_data(reason));
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
        o->set("error", reason);
        reply(response, status, to_json(o));
    }

    void post_records(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
        if (request.getContentType().rfind("application/json", 0) != 0)
            return error(request, response, HTTPResponse::HTTP_UNSUPPORTED_MEDIA_TYPE, "the body must be application/json");
        if (request.getContentLength64() > static_cast<Poco::Int64>(kMaxBody))
            return error(request, response, HTTPResponse::HTTP_REQUESTENTITYTOOLARGE, "body over 4 MiB");  // (read and dropped)
        std::string body;
        std::vector<char> buffer(65536);
        while (request.stream()) {
            request.stream().read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
            body.append(buffer.data(), static_cast<std::size_t>(request.stream().gcount()));
            if (body.size() > kMaxBody) {
                response.setKeepAlive(false);
                return error(request, response, HTTPResponse::HTTP_REQUESTENTITYTOOLARGE, "body over 4 MiB");
            }
        }
        const std::string fault = state_.fault();
        if (fault == "503") return error(request, response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "injected fault: unavailable");
        if (fault == "429") {
            response.set("Retry-After", "1");
            return error(request, response, HTTPResponse::HTTP_TOO_MANY_REQUESTS, "injected fault: too many requests");
        }
        // A server that hangs: the answer comes after the client's timeout (and the batch is stored).
        if (fault == "hang") std::this_thread::sleep_for(std::chrono::milliseconds(state_.options.hang_ms));
        std::vector<BatchItem> items;
        try {
            items = parse_batch(body);
        } catch (const Error& e) {
            return error(request, response, HTTPResponse::HTTP_BAD_REQUEST, mask_personal_data(e.what()));
        }
        auto store = state_.borrow();
        bool stored = false;
        std::vector<ItemResult> results = store->store(items, stored);
        state_.give_back(std::move(store));
        if (fault == "500-after") return error(request, response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, "injected fault after storing");
        if (fault == "cut-after") {
            static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket().close();
            return;
        }
        Poco::JSON::Array::Ptr arr = new Poco::JSON::Array;
        bool conflict = false;
        for (const auto& r : results) {
            Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
            o->set("key", r.key);
            o->set("result", r.result);
            if (!r.reason.empty()) o->set("reason", mask_personal_data(r.reason));
            if (r.repeated) o->set("repeated", true);
            arr->add(o);
            conflict |= r.result == "conflict";
        }
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
        o->set("results", arr);
        if (!stored)
            state_.log.information("POST /v1/records: batch of %z refused", items.size());
        reply(response, stored ? HTTPResponse::HTTP_OK : conflict ? HTTPResponse::HTTP_CONFLICT : HTTPResponse::HTTP_UNPROCESSABLE_ENTITY,
              to_json(o));
    }

    RegistryServer::State& state_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(RegistryServer::State& state) : state_(state) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new Handler(state_); }

private:
    RegistryServer::State& state_;
};

}  // namespace

RegistryServer::RegistryServer(RegistryOptions options) : state_(std::make_unique<State>()) {
    state_->options = std::move(options);
    if (state_->options.token.size() < 16) throw Error("formscan.registry.token", "the bearer token needs at least 16 characters");
    state_->rng.seed(state_->options.fault_seed);
    state_->give_back(std::make_unique<RegistryStore>(state_->options.store_url));
}

RegistryServer::~RegistryServer() { stop(); }

void RegistryServer::start() {
    const Poco::Net::SocketAddress address(state_->options.host, state_->options.port);
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(state_->options.threads);
    params->setKeepAlive(true);
    if (state_->options.certificate.empty()) {
        state_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(*state_), Poco::Net::ServerSocket(address), params);
    } else {
        Poco::Net::Context::Ptr context =
            new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, state_->options.private_key, state_->options.certificate, "",
                                   Poco::Net::Context::VERIFY_NONE);
        state_->server =
            std::make_unique<Poco::Net::HTTPServer>(new Factory(*state_), Poco::Net::SecureServerSocket(address, 64, context), params);
    }
    state_->server->start();
}

void RegistryServer::stop() {
    if (state_ && state_->server) {
        state_->server->stopAll(true);
        // Handlers still running use the state: wait for them before it goes.
        for (int i = 0; i < 1000 && state_->server->currentConnections() > 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        state_->server.reset();
    }
}

unsigned short RegistryServer::port() const { return state_->server ? state_->server->port() : 0; }

}  // namespace formscan::registry
