// Delivery to the district registry, against the real registry server on 127.0.0.1:
// exactly once through faults, bad input refused with a reason, and the outbox.
#include "formscan/delivery.hpp"
#include "formscan/error.hpp"
#include "formscan/record_json.hpp"
#include "formscan/review_store.hpp"
#include "formscan/stage.hpp"
#include "people.hpp"
#include "synth.hpp"
#include "registry.hpp"
#include "review_client.hpp"
#include "sender.hpp"
#include "test_support.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fcntl.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace formscan;

namespace {

const std::string kToken = "test-token-0123456789abcdef";

// A page of `rows` validated records (every field ok), each a different resident.
std::vector<Record> validated_page(Page& page, int rows, std::mt19937& rng) {
    const auto& form = test::templates().at("zj-hedui");
    std::vector<Record> out;
    for (int r = 1; r <= rows; ++r) {
        synth::Person p = synth::random_person(form, "曹娥街道", "光王村", rng);
        Record rec = make_empty_record(form, page, r);
        for (auto& f : rec.fields) f.status = FieldStatus::ok, f.confidence = 1, f.reader = "test";
        rec.at("township").value = std::string("曹娥街道");
        rec.at("village").value = std::string(r % 2 ? "光王村" : "兴东村");
        rec.at("name").value = p.name;
        rec.at("sex").value = p.sex;
        rec.at("id_number").value = p.id_number;
        rec.at("birth_date").value = p.birth_date;
        out.push_back(rec);
    }
    return out;
}

// A store with `pages` pages of 10 validated records: 10 * pages records in the outbox.
std::string filled_store(const std::string& dir, int pages, unsigned seed = 5) {
    const std::string url = "sqlite:" + dir + "/office.sqlite";
    ReviewStore store(url);
    std::mt19937 rng(seed);
    for (int i = 0; i < pages; ++i) {
        Page page;
        page.source = "scans/page_" + std::to_string(i) + ".png";
        page.image = cv::Mat(100, 100, CV_8UC1, cv::Scalar(255));
        store.add_page(page, validated_page(page, 10, rng));
    }
    return url;
}

struct RegistryCounts {
    long persons = 0, deliveries = 0, sources = 0;
};

RegistryCounts registry_counts(const std::string& path) {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session db("SQLite", path);
    RegistryCounts c;
    using namespace Poco::Data::Keywords;
    db << "SELECT COUNT(*) FROM persons", into(c.persons), now;
    db << "SELECT COUNT(*) FROM deliveries", into(c.deliveries), now;
    db << "SELECT COUNT(*) FROM sources", into(c.sources), now;
    return c;
}

SenderOptions sender(unsigned short port, int batch = 50) {
    SenderOptions o;
    o.url = "http://127.0.0.1:" + std::to_string(port);
    o.token = kToken;
    o.batch = batch;
    o.first_delay_s = 0.01;
    o.max_delay_s = 0.2;
    o.max_failures = 200;
    o.receive_timeout = std::chrono::milliseconds(3000);
    return o;
}

ReviewReply post(unsigned short port, const std::string& body, const std::string& token = kToken,
                 const std::string& type = "application/json") {
    Poco::Net::HTTPClientSession http("127.0.0.1", port);
    Poco::Net::HTTPRequest request("POST", "/v1/records", Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType(type);
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    request.set("Authorization", "Bearer " + token);
    http.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    ReviewReply reply;
    Poco::StreamCopier::copyToString(http.receiveResponse(response), reply.body);
    reply.status = response.getStatus();
    return reply;
}

registry::RegistryOptions registry_options(const std::string& dir, double faults = 0) {
    registry::RegistryOptions o;
    o.store_url = "sqlite:" + dir + "/registry.sqlite";
    o.token = kToken;
    o.port = 0;
    o.fault_rate = faults;
    o.fault_seed = 7;
    return o;
}

}  // namespace

TEST(Delivery, KeysAreStableAndTellRowsApart) {
    Page page;
    page.source = "/mnt/share/a/page_1.png";
    const auto& form = test::templates().at("zj-hedui");
    Record a = make_empty_record(form, page, 3), b = a;
    b.source = "/other/mount/page_1.png";  // the same scan seen from another machine
    Record c = make_empty_record(form, page, 4);
    EXPECT_EQ(delivery_key(a), delivery_key(b));
    EXPECT_NE(delivery_key(a), delivery_key(c));
    a.batch = "B1", a.batch_page = 2;
    EXPECT_EQ(delivery_key(a).rfind("b:", 0), 0u);
}

TEST(Delivery, EveryValidatedRecordIsStoredOnceAndCounted) {
    const std::string dir = test::temp_dir("delivery_once");
    const std::string url = filled_store(dir, 3);
    registry::RegistryServer registry(registry_options(dir));
    registry.start();
    ReviewStore store(url);
    PushSummary first = push_outbox(store, sender(registry.port(), 7));
    EXPECT_EQ(first.sent, 30);
    EXPECT_EQ(first.pending, 0);
    // Sent again (a re-run of the same scans): the registry answers, stores nothing new.
    ReviewStore rerun(filled_store(test::temp_dir("delivery_rerun"), 3));
    PushSummary second = push_outbox(rerun, sender(registry.port(), 30));
    EXPECT_EQ(second.sent, 30);
    const auto counts = registry_counts(dir + "/registry.sqlite");
    EXPECT_EQ(counts.persons, 30);
    EXPECT_EQ(counts.deliveries, 30);
    EXPECT_EQ(counts.sources, 30);
    ReviewClient client("127.0.0.1", registry.port());
    Poco::Net::HTTPClientSession http("127.0.0.1", registry.port());
    Poco::Net::HTTPRequest request("GET", "/v1/registration", Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + kToken);
    http.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::string body;
    Poco::StreamCopier::copyToString(http.receiveResponse(response), body);
    EXPECT_EQ(response.getStatus(), 200);
    EXPECT_NE(body.find("{\"persons\":15,\"township\":\"曹娥街道\",\"village\":\"光王村\"}"), std::string::npos) << body;
}

TEST(Delivery, FaultsAnd500sAndCutConnectionsLoseNothingAndStoreNothingTwice) {
    // Half of all requests fail: 503, 429 with Retry-After, 500 after storing, the
    // connection cut after storing, or no answer within the client's receive timeout.
    const std::string dir = test::temp_dir("delivery_faults");
    const std::string url = filled_store(dir, 20);
    auto options = registry_options(dir, 0.5);
    options.hang_ms = 1500;
    registry::RegistryServer registry(options);
    registry.start();
    ReviewStore store(url);
    SenderOptions o = sender(registry.port(), 25);
    o.receive_timeout = std::chrono::milliseconds(1000);
    PushSummary s = push_outbox(store, o, [](std::chrono::milliseconds) {});
    EXPECT_EQ(s.pending, 0);
    EXPECT_GT(s.failures, 3) << "faults were injected";
    const auto counts = registry_counts(dir + "/registry.sqlite");
    EXPECT_EQ(counts.persons, 200);
    EXPECT_EQ(counts.deliveries, 200) << "nothing stored twice";
    EXPECT_EQ(store.outbox_counts().sent, 200);
}

TEST(Delivery, TheRegistryDownAtTheStartIsWaitedFor) {
    const std::string dir = test::temp_dir("delivery_down");
    const std::string url = filled_store(dir, 2);
    // A port nobody listens on yet.
    auto options = registry_options(dir);
    {
        Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
        options.port = probe.address().port();
    }
    registry::RegistryServer registry(options);
    std::thread later([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(800));
        registry.start();
    });
    ReviewStore store(url);
    SenderOptions o = sender(options.port);
    o.first_delay_s = 0.1;
    PushSummary s = push_outbox(store, o);
    later.join();
    EXPECT_EQ(s.sent, 20);
    EXPECT_GE(s.failures, 1);
    EXPECT_EQ(registry_counts(dir + "/registry.sqlite").persons, 20);
}

TEST(Delivery, BadRequestsGetAClearReasonAndStoreNothing) {
    const std::string dir = test::temp_dir("delivery_bad");
    registry::RegistryServer registry(registry_options(dir));
    registry.start();
    const unsigned short port = registry.port();
    std::mt19937 rng(3);
    Page page;
    page.source = "x.png";
    auto records = validated_page(page, 2, rng);
    auto item = [&](const std::string& key, const Record& r) { return R"({"key":")" + key + R"(","record":)" + record_to_json_line(r) + "}"; };
    const std::string good = R"({"records":[)" + item("s:0123456789abcdef0001", records[0]) + "]}";

    EXPECT_EQ(post(port, "{not json").status, 400);
    EXPECT_EQ(post(port, R"({"records":[]})").status, 400);
    EXPECT_EQ(post(port, R"({"records":[{"key":"short","record":{}}]})").status, 400);
    EXPECT_EQ(post(port, good, "wrong-token-0123456789").status, 401);
    EXPECT_EQ(post(port, good, kToken, "text/plain").status, 415);
    EXPECT_EQ(post(port, std::string(5 * 1024 * 1024, ' ')).status, 413);
    // A record breaking a rule (its ID number's check digit) is refused with the reason,
    // and nothing of its batch is stored.
    Record broken = records[1];
    std::string id = broken.at("id_number").text();
    id.back() = id.back() == '1' ? '2' : '1';
    broken.at("id_number").value = id;
    auto refused = post(port, R"({"records":[)" + item("s:0123456789abcdef0002", records[0]) + "," + item("s:0123456789abcdef0003", broken) + "]}");
    EXPECT_EQ(refused.status, 422);
    EXPECT_NE(refused.body.find("check digit"), std::string::npos) << refused.body;
    EXPECT_EQ(refused.body.find(id), std::string::npos) << "no ID number in the answer";
    EXPECT_EQ(registry_counts(dir + "/registry.sqlite").persons, 0);
    // Stored once; the same key with another record is a conflict; the server still serves.
    EXPECT_EQ(post(port, good).status, 200);
    auto again = post(port, good);
    EXPECT_EQ(again.status, 200);
    EXPECT_NE(again.body.find(R"("repeated":true,"result":"stored")"), std::string::npos) << again.body;
    auto reused = post(port, R"({"records":[)" + item("s:0123456789abcdef0001", records[1]) + "]}");
    EXPECT_EQ(reused.status, 409);
    EXPECT_EQ(registry_counts(dir + "/registry.sqlite").persons, 1);
}

TEST(Delivery, TheSenderKilledMidBatchAndStartedAgainDeliversEverythingOnce) {
    // `formscan push` as its own process, killed with SIGKILL while it sends, then run
    // again to the end.
    const std::string dir = test::temp_dir("delivery_kill");
    const std::string url = filled_store(dir, 30);
    auto options = registry_options(dir, 0.3);
    registry::RegistryServer registry(options);
    registry.start();
    const std::string registry_url = "http://127.0.0.1:" + std::to_string(registry.port());
    setenv("FORMSCAN_REGISTRY_TOKEN", kToken.c_str(), 1);
    test::FormscanProcess push({"push", "--store", url, "--registry", registry_url, "--batch", "5"});
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    push.kill(SIGKILL);
    push.wait();
    const long before = ReviewStore(url).outbox_counts().sent;
    auto again = test::run_formscan({"push", "--store", url, "--registry", registry_url, "--batch", "5", "--max-failures", "500"});
    EXPECT_EQ(again.status, 0) << again.err;
    EXPECT_LT(before, 300) << "killed before the end";
    const auto counts = registry_counts(dir + "/registry.sqlite");
    EXPECT_EQ(counts.persons, 300);
    EXPECT_EQ(counts.deliveries, 300);
    EXPECT_EQ(ReviewStore(url).outbox_counts().sent, 300);
}

TEST(Delivery, RunWithPushDeliversTheRecordsItValidates) {
    const std::string dir = test::temp_dir("delivery_run_push");
    const std::string scans = test::make_scans(dir, 2, 12, 8);
    registry::RegistryServer registry(registry_options(dir));
    registry.start();
    setenv("FORMSCAN_REGISTRY_TOKEN", kToken.c_str(), 1);
    const std::string url = "sqlite:" + dir + "/office.sqlite";
    // Every field taken as read (no review), so that records are validated as they are read.
    auto r = test::run_formscan({"run", "--template", "zj-hedui", "-D", "calibrate.ok_confidence=0.01", "-D",
                                 "calibrate.header_ok_confidence=0.01", "--store", url, "--push", "--registry",
                                 "http://127.0.0.1:" + std::to_string(registry.port()), "--out", dir + "/records.jsonl", scans});
    ASSERT_EQ(r.status, 0) << r.err;
    const OutboxCounts c = ReviewStore(url).outbox_counts();
    EXPECT_EQ(c.pending, 0);
    // What the registry refuses (an ID number a validated record should not have) is told.
    EXPECT_EQ(c.sent + c.refused, registry_counts(dir + "/registry.sqlite").deliveries + c.refused);
    EXPECT_GT(c.sent, 0) << r.err;
    EXPECT_NE(r.err.find("delivered"), std::string::npos);
    auto status = test::run_formscan({"push", "--status", "--store", url});
    EXPECT_EQ(status.status, 0);
    EXPECT_NE(status.out.find("pending 0\nsent " + std::to_string(c.sent) + "\nrefused " + std::to_string(c.refused)), std::string::npos)
        << status.out;
}

TEST(Delivery, WorkersOfAJobQueueWithPushDeliverWhatTheyValidate) {
    // `formscan worker --push`: pages from the PostgreSQL queue, results in the review store
    // of the same database, validated records on to the registry.
    test::TestPostgres pg;
    const std::string dir = test::temp_dir("delivery_worker_push");
    const std::string scans = test::make_scans(dir, 2, 13, 8);
    registry::RegistryServer registry(registry_options(dir));
    registry.start();
    setenv("FORMSCAN_REGISTRY_TOKEN", kToken.c_str(), 1);
    ASSERT_EQ(test::run_formscan({"queue", "add", "--queue", pg.url(), "--template", "zj-hedui", scans}).status, 0);
    auto r = test::run_formscan({"worker", "--queue", pg.url(), "--exit-when-done", "--workers", "2", "-D", "calibrate.ok_confidence=0.01",
                                 "-D", "calibrate.header_ok_confidence=0.01", "--push", "--registry",
                                 "http://127.0.0.1:" + std::to_string(registry.port())});
    ASSERT_EQ(r.status, 0) << r.err;
    const OutboxCounts c = ReviewStore(pg.url()).outbox_counts();
    EXPECT_EQ(c.pending, 0) << r.err;
    EXPECT_GT(c.sent, 0) << r.err;
    EXPECT_EQ(registry_counts(dir + "/registry.sqlite").deliveries, c.sent);
    EXPECT_NE(r.err.find("delivered " + std::to_string(c.sent) + " record(s)"), std::string::npos) << r.err;
}

TEST(Delivery, HttpsVerifiesTheRegistrysCertificate) {
    const std::string dir = test::temp_dir("delivery_https");
    ASSERT_EQ(std::system(("bash " FORMSCAN_SOURCE_DIR_FOR_TESTS "/tests/support/make_test_ca.sh " + dir + "/pki").c_str()), 0);
    const std::string url = filled_store(dir, 2);
    auto options = registry_options(dir);
    options.certificate = dir + "/pki/server.pem";
    options.private_key = dir + "/pki/server.key";
    registry::RegistryServer registry(options);
    registry.start();
    ReviewStore store(url);
    SenderOptions o = sender(registry.port());
    o.url = "https://127.0.0.1:" + std::to_string(registry.port());
    o.max_failures = 2;
    // Verification is on by default: a certificate from an unknown authority is refused.
    PushSummary untrusted = push_outbox(store, o, [](std::chrono::milliseconds) {});
    EXPECT_EQ(untrusted.sent, 0);
    EXPECT_EQ(untrusted.pending, 20);
    EXPECT_FALSE(untrusted.last_error.empty());
    // With the district's own authority trusted, the records go.
    o.ca_file = dir + "/pki/ca.pem";
    PushSummary trusted = push_outbox(store, o);
    EXPECT_EQ(trusted.sent, 20) << trusted.last_error;
    EXPECT_EQ(registry_counts(dir + "/registry.sqlite").persons, 20);
}

TEST(Delivery, TheRegistryKilledAndRestartedMidBatchLosesNothingAndStoresNothingTwice) {
    // The registry as its own process, killed with SIGKILL while records arrive one per
    // request, and started again on the same port and database.
    const std::string dir = test::temp_dir("delivery_restart");
    const std::string url = filled_store(dir, 30);
    unsigned short port = 0;
    {
        Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
        port = probe.address().port();
    }
    setenv("FORMSCAN_REGISTRY_TOKEN", kToken.c_str(), 1);
    const std::string listen = "127.0.0.1:" + std::to_string(port), db = "sqlite:" + dir + "/registry.sqlite";
    auto start_registry = [&] {
        pid_t pid = fork();
        if (pid == 0) {
            int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, STDOUT_FILENO);
            execl(FORMSCAN_REGISTRY, FORMSCAN_REGISTRY, "--store", db.c_str(), "--listen", listen.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        return pid;
    };
    pid_t registry = start_registry();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::thread killer([&] {
        // Killed once some records are in: mid-batch, whatever the machine's speed.
        for (int i = 0; i < 3000; ++i) {
            try {
                if (registry_counts(dir + "/registry.sqlite").deliveries >= 20) break;
            } catch (const Poco::Exception&) {
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        kill(registry, SIGKILL);
        waitpid(registry, nullptr, 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        registry = start_registry();
    });
    ReviewStore store(url);
    SenderOptions o = sender(port, 1);
    o.first_delay_s = 0.05;
    PushSummary s = push_outbox(store, o);
    killer.join();
    kill(registry, SIGTERM);
    waitpid(registry, nullptr, 0);
    EXPECT_EQ(s.pending, 0) << s.last_error;
    EXPECT_GE(s.failures, 1) << "the registry was down for a while";
    const auto counts = registry_counts(dir + "/registry.sqlite");
    EXPECT_EQ(counts.persons, 300);
    EXPECT_EQ(counts.deliveries, 300);
}

TEST(Delivery, TheRegistryKeepsItsRecordsInPostgreSql) {
    // The same registry on PostgreSQL (a private server started for the test).
    test::TestPostgres server;
    const std::string dir = test::temp_dir("delivery_pg");
    auto options = registry_options(dir, 0.3);
    options.store_url = server.url();
    registry::RegistryServer registry(options);
    registry.start();
    ReviewStore store(filled_store(dir, 4));
    PushSummary first = push_outbox(store, sender(registry.port(), 6), [](std::chrono::milliseconds) {});
    EXPECT_EQ(first.sent, 40) << first.last_error;
    ReviewStore rerun(filled_store(test::temp_dir("delivery_pg_rerun"), 4));
    EXPECT_EQ(push_outbox(rerun, sender(registry.port(), 40), [](std::chrono::milliseconds) {}).sent, 40);
    Poco::Net::HTTPClientSession http("127.0.0.1", registry.port());
    Poco::Net::HTTPRequest request("GET", "/v1/registration", Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer " + kToken);
    std::string body;
    for (int attempt = 0; attempt < 20; ++attempt) {  // faults are injected here too
        http.sendRequest(request);
        Poco::Net::HTTPResponse response;
        body.clear();
        Poco::StreamCopier::copyToString(http.receiveResponse(response), body);
        if (response.getStatus() == 200) break;
    }
    EXPECT_NE(body.find("{\"persons\":20,\"township\":\"曹娥街道\",\"village\":\"光王村\"}"), std::string::npos) << body;
    EXPECT_NE(body.find("{\"persons\":20,\"township\":\"曹娥街道\",\"village\":\"兴东村\"}"), std::string::npos) << body;
}
