#include "sender.hpp"

#include "formscan/error.hpp"
#include "formscan/masking.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Net/AcceptCertificateHandler.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <map>
#include <memory>
#include <random>
#include <thread>

namespace formscan {

std::unique_ptr<Poco::Net::HTTPClientSession> open_http_session(const Poco::URI& uri, const SenderOptions& options) {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (uri.getScheme() == "https") {
        static std::once_flag once;
        std::call_once(once, [] {
            Poco::Net::initializeSSL();
            // A certificate that fails verification ends the handshake (no prompt, no exception handler).
            Poco::Net::SSLManager::instance().initializeClient(nullptr, new Poco::Net::RejectCertificateHandler(false), nullptr);
        });
        Poco::Net::Context::Ptr context = new Poco::Net::Context(
            Poco::Net::Context::TLS_CLIENT_USE, "", "", options.ca_file,
            options.verify_tls ? Poco::Net::Context::VERIFY_STRICT : Poco::Net::Context::VERIFY_NONE, 9, options.ca_file.empty());
        session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
    } else if (uri.getScheme() == "http") {
        session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    } else {
        throw Error("formscan.delivery.url", "a URL must be http:// or https://: " + uri.getScheme() + "://...");
    }
    using Poco::Timespan;
    auto span = [](std::chrono::milliseconds ms) { return Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000); };
    session->setTimeout(span(options.connect_timeout), span(options.send_timeout), span(options.receive_timeout));
    session->setKeepAlive(true);
    return session;
}

namespace {

std::string batch_body(const std::vector<OutboxItem>& items) {
    // The stored record is JSON already: it goes in as it is.
    std::string body = "{\"records\":[";
    for (std::size_t i = 0; i < items.size(); ++i)
        body += (i ? "," : "") + std::string("{\"key\":\"") + items[i].key + "\",\"record\":" + items[i].body + "}";
    return body + "]}";
}

}  // namespace

PushSummary push_outbox(ReviewStore& store, const SenderOptions& options, const std::function<void(std::chrono::milliseconds)>& sleep) {
    Poco::Logger& log = Poco::Logger::get("formscan.delivery");
    const Poco::URI base(options.url);
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    std::mt19937 rng(std::random_device{}());
    PushSummary summary;
    int failures_in_a_row = 0, batch = std::max(1, options.batch);
    auto wait = [&](double seconds) {
        auto ms = std::chrono::milliseconds(static_cast<long>(seconds * 1000));
        if (sleep) sleep(ms);
        else std::this_thread::sleep_for(ms);
    };
    while (true) {
        std::vector<OutboxItem> items = store.outbox_pending(batch);
        if (items.empty()) break;
        std::vector<long> ids;
        for (const auto& i : items) ids.push_back(i.id);
        std::string error;
        double retry_after = -1;
        try {
            if (!session) session = open_http_session(base, options);
            const std::string body = batch_body(items);
            Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/v1/records", Poco::Net::HTTPMessage::HTTP_1_1);
            request.setContentType("application/json");
            request.setContentLength(static_cast<std::streamsize>(body.size()));
            request.set("Authorization", "Bearer " + options.token);
            request.setKeepAlive(true);
            session->sendRequest(request) << body;
            Poco::Net::HTTPResponse response;
            std::string answer;
            Poco::StreamCopier::copyToString(session->receiveResponse(response), answer);
            const int status = response.getStatus();
            if (status == 401 || status == 403) throw Error("formscan.delivery.unauthorised", "the registry refused the token (" + std::to_string(status) + ")");
            if (status == 413 && batch > 1) {
                batch = std::max(1, batch / 2);  // smaller batches, at once
                continue;
            }
            if (status == 200 || status == 409 || status == 422) {
                auto results = Poco::JSON::Parser().parse(answer).extract<Poco::JSON::Object::Ptr>()->getArray("results");
                std::map<std::string, long> by_key;
                for (const auto& i : items) by_key[i.key] = i.id;
                std::vector<long> sent;
                for (std::size_t k = 0; results && k < results->size(); ++k) {
                    auto r = results->getObject(static_cast<unsigned>(k));
                    const std::string key = r->getValue<std::string>("key"), result = r->getValue<std::string>("result");
                    auto it = by_key.find(key);
                    if (it == by_key.end()) continue;
                    if (result == "stored") sent.push_back(it->second);
                    else if (result == "refused" || result == "conflict") {
                        store.outbox_refused(it->second, result + ": " + r->optValue<std::string>("reason", ""));
                        ++summary.refused;
                    }
                    // not_stored: sent again with the next batch, without the refused ones
                }
                store.outbox_sent(sent);
                summary.sent += static_cast<long>(sent.size());
                failures_in_a_row = 0;
                continue;
            }
            if (status == 400) {
                // The registry cannot read this batch: each record alone tells which one.
                if (batch > 1) {
                    batch = 1;
                    continue;
                }
                store.outbox_refused(items.front().id, "bad request: " + answer);
                ++summary.refused;
                continue;
            }
            error = "HTTP " + std::to_string(status);
            if (response.has("Retry-After")) retry_after = std::atof(response.get("Retry-After").c_str());
            if (!response.getKeepAlive()) session.reset();
        } catch (const Error&) {
            throw;
        } catch (const Poco::Exception& e) {
            // Timeouts, refused or cut connections, a kept-alive connection the server
            // closed: a new connection, and the same batch again (the keys make it safe).
            error = e.displayText();
            session.reset();
        } catch (const std::exception& e) {
            error = e.what();
            session.reset();
        }
        ++summary.failures;
        summary.last_error = mask_personal_data(error);
        store.outbox_attempted(ids, error);
        if (++failures_in_a_row >= options.max_failures) {
            log.warning("the registry failed %d times in a row (%s); the rest stays in the outbox", failures_in_a_row, summary.last_error);
            break;
        }
        // Exponential backoff with full jitter; the server's Retry-After when it says.
        double ceiling = std::min(options.max_delay_s, options.first_delay_s * std::pow(2.0, failures_in_a_row - 1));
        double delay = std::uniform_real_distribution<double>(ceiling / 2, ceiling)(rng);
        if (retry_after >= 0) delay = std::max(delay, std::min(retry_after, options.max_delay_s));
        log.information("delivery failed (%s); retrying in %.1f s", summary.last_error, delay);
        wait(delay);
    }
    summary.pending = store.outbox_counts().pending;
    return summary;
}

BackgroundPusher::BackgroundPusher(std::string store_url, SenderOptions options, std::chrono::seconds interval)
    : thread_(&BackgroundPusher::loop, this, std::move(store_url), std::move(options), interval) {}

BackgroundPusher::~BackgroundPusher() {
    {
        std::lock_guard lock(mutex_);
        running_ = false;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

PushSummary BackgroundPusher::finish() {
    {
        std::lock_guard lock(mutex_);
        send_last_ = true;
        running_ = false;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    return total_;
}

void BackgroundPusher::loop(std::string store_url, SenderOptions options, std::chrono::seconds interval) {
    std::unique_ptr<ReviewStore> outbox;
    while (true) {
        bool last = false;
        {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, interval, [&] { return !running_.load(); });
            if (!running_ && !send_last_) return;
            last = !running_;
        }
        try {
            if (!outbox) outbox = std::make_unique<ReviewStore>(store_url);
            PushSummary s = push_outbox(*outbox, options);
            total_.sent += s.sent, total_.refused += s.refused, total_.failures += s.failures, total_.pending = s.pending;
            if (!s.last_error.empty()) total_.last_error = s.last_error;
        } catch (const std::exception& e) {
            total_.last_error = mask_personal_data(e.what());
            outbox.reset();  // the store may have gone away: open it again next time
        }
        if (last) return;
    }
}

}  // namespace formscan
