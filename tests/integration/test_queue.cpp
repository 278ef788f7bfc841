// The job queue of an archive conversion (`formscan queue`, `formscan worker`) against a
// real PostgreSQL server started by the test: several workers, a worker killed mid-page,
// the database restarted mid-batch, a page that crashes the reader, and workers in
// separate network namespaces reaching the database over TCP as separate hosts would.
#include "formscan/config.hpp"
#include "formscan/job_queue.hpp"
#include "formscan/record_json.hpp"
#include "formscan/review_store.hpp"
#include "synth.hpp"
#include "test_support.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sys/wait.h>
#include <thread>

using namespace formscan;
using namespace Poco::Data::Keywords;
namespace fs = std::filesystem;

namespace {

// Scans of the 核对表 with few rows (quick to read), the first file a 2-page TIFF.
std::string make_scans(const std::string& dir, int pages, unsigned seed) {
    const std::string scans = test::make_scans(dir, pages, seed, 5, {"tiff-lzw", "png"}, 2);
    fs::remove(scans + "/truth.jsonl");
    return scans;
}

long count(const std::string& url, const std::string& sql) {
    Poco::Data::PostgreSQL::Connector::registerConnector();
    Poco::Data::Session db("PostgreSQL", url.substr(std::string("postgresql:").size()));
    Poco::Int64 n = 0;
    db << sql, into(n), now;
    return static_cast<long>(n);
}

Poco::JSON::Object::Ptr status_json(const std::string& url) {
    auto result = test::run_formscan({"queue", "status", "--queue", url, "--json"});
    EXPECT_EQ(result.status, 0) << result.err;
    return Poco::JSON::Parser().parse(result.out).extract<Poco::JSON::Object::Ptr>();
}

// A process's status (waitpid's) says it exited with 0.
bool exited_ok(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

std::vector<std::string> worker_args(const std::string& url, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"worker", "--queue", url, "--exit-when-done", "--poll", "200"};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

// Waits until `sql` counts at least `n` (the batch has come that far).
bool wait_for(const std::string& url, const std::string& sql, long n, double seconds = 300) {
    for (double waited = 0; waited < seconds; waited += 0.1) {
        try {
            if (count(url, sql) >= n) return true;
        } catch (const Poco::Exception&) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

// Every page of the batch stored exactly once in the review store: as many stored pages
// as pages, no (source, page) twice.
void expect_every_page_stored_once(const std::string& url, long pages) {
    EXPECT_EQ(count(url, "SELECT count(*) FROM pages"), pages);
    EXPECT_EQ(count(url, "SELECT count(DISTINCT (source, page_index)) FROM pages"), pages);
    EXPECT_EQ(count(url, "SELECT count(*) FROM jobs WHERE state <> 'done'"), 0);
}

// A file server on 127.0.0.1 for the http:// inputs.
class FileServer {
public:
    explicit FileServer(std::string dir) : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
        server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(std::move(dir)), socket_, new Poco::Net::HTTPServerParams);
        server_->start();
    }
    ~FileServer() { server_->stopAll(true); }
    std::string url(const std::string& name) const { return "http://127.0.0.1:" + std::to_string(socket_.address().port()) + "/" + name; }

private:
    struct Handler : Poco::Net::HTTPRequestHandler {
        explicit Handler(std::string dir) : dir_(std::move(dir)) {}
        void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
            const std::string path = dir_ + "/" + fs::path(request.getURI()).filename().string();
            if (!fs::exists(path)) {
                response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
                response.send() << "no such file";
                return;
            }
            response.sendFile(path, "application/octet-stream");
        }
        std::string dir_;
    };
    struct Factory : Poco::Net::HTTPRequestHandlerFactory {
        explicit Factory(std::string dir) : dir_(std::move(dir)) {}
        Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new Handler(dir_); }
        std::string dir_;
    };
    Poco::Net::ServerSocket socket_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace

TEST(Queue, TwoWorkersShareABatchFromAFolderAndAUrlAndReadWhatARunReads) {
    test::TestPostgres pg;
    const std::string dir = test::temp_dir("queue_two");
    const std::string scans = make_scans(dir, 5, 41);  // 4 files, 5 pages
    const std::string served = test::make_scans(dir + "/served", 1, 42, 5);
    fs::remove(served + "/truth.jsonl");
    FileServer files(served);

    auto added = test::run_formscan({"queue", "add", "--queue", pg.url(), "--name", "b1", scans, files.url("scan_0001.png")});
    ASSERT_EQ(added.status, 0) << added.err;
    EXPECT_NE(added.err.find("6 page(s) added"), std::string::npos) << added.err;
    auto again = test::run_formscan({"queue", "add", "--queue", pg.url(), "--name", "b1", scans});
    EXPECT_NE(again.err.find("0 page(s) added"), std::string::npos) << again.err;
    // A URL that answers 404 fails with the answer as its error; the batch still finishes.
    test::run_formscan({"queue", "add", "--queue", pg.url(), "--name", "b1", files.url("missing.png")});

    // Two workers, as on two machines.
    test::FormscanProcess a(worker_args(pg.url(), {"--name", "b1", "--max-attempts", "2"}));
    test::FormscanProcess b(worker_args(pg.url(), {"--name", "b1", "--max-attempts", "2"}));
    int status_a = a.wait(), status_b = b.wait();
    ASSERT_TRUE(exited_ok(status_a)) << a.err();
    ASSERT_TRUE(exited_ok(status_b)) << b.err();

    auto status = status_json(pg.url());
    EXPECT_EQ(status->getValue<long>("done"), 6);
    EXPECT_EQ(status->getValue<long>("failed"), 1);
    EXPECT_EQ(status->getValue<long>("pending"), 0);
    auto failure = status->getArray("failures")->getObject(0);
    EXPECT_NE(failure->getValue<std::string>("error").find("404"), std::string::npos);
    EXPECT_EQ(failure->getValue<int>("attempts"), 2);
    EXPECT_GT(status->getValue<double>("mean_read_seconds"), 0);
    EXPECT_EQ(count(pg.url(), "SELECT count(*) FROM pages"), 6);
    EXPECT_EQ(count(pg.url(), "SELECT count(DISTINCT (source, page_index)) FROM pages"), 6);
    EXPECT_EQ(count(pg.url(), "SELECT count(DISTINCT worker) FROM jobs WHERE state = 'done'"), 2) << "both workers read";

    // The same records as `formscan run` reads from the same scans.
    auto run = test::run_formscan({"run", "--no-progress", "--out", dir + "/run.jsonl", scans, served});
    ASSERT_EQ(run.status, 0) << run.err;
    std::multiset<std::string> from_run, from_queue;
    auto key_of = [](const Record& r) {
        std::string key = fs::path(r.source).filename().string() + "#" + std::to_string(r.page) + "#" + std::to_string(r.row);
        for (const auto& f : r.fields)
            if (f.key == "id_number" || f.key == "name" || f.key == "phone") key += "|" + f.text();
        return key;
    };
    std::ifstream lines(dir + "/run.jsonl");
    for (std::string line; std::getline(lines, line);)
        if (!line.empty()) from_run.insert(key_of(record_from_json_line(line)));
    for (const auto& r : ReviewStore(pg.url()).records()) from_queue.insert(key_of(r));
    EXPECT_GT(from_run.size(), 20u);
    EXPECT_EQ(from_queue, from_run);
}

TEST(Queue, AWorkerKilledMidPageLosesNothingAndStoresNothingTwice) {
    test::TestPostgres pg;
    const std::string dir = test::temp_dir("queue_kill");
    const std::string scans = make_scans(dir, 4, 43);
    ASSERT_EQ(test::run_formscan({"queue", "add", "--queue", pg.url(), scans}).status, 0);
    {
        test::FormscanProcess doomed(worker_args(pg.url(), {"--lease", "3"}));
        ASSERT_TRUE(wait_for(pg.url(), "SELECT count(*) FROM jobs WHERE state = 'running'", 1)) << doomed.err();
        // Mid-page: the worker (and its reader with it) dies as a machine losing power would.
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        doomed.kill(SIGKILL);
        doomed.wait();
    }
    const long done_before = count(pg.url(), "SELECT count(*) FROM jobs WHERE state = 'done'");
    EXPECT_LT(done_before, 4);
    EXPECT_EQ(count(pg.url(), "SELECT count(*) FROM jobs WHERE state = 'running'"), 1) << "the dead worker's page, until its lease ends";
    test::FormscanProcess heir(worker_args(pg.url(), {"--lease", "3"}));
    int status = heir.wait();
    ASSERT_TRUE(exited_ok(status)) << heir.err();
    expect_every_page_stored_once(pg.url(), 4);
    EXPECT_EQ(count(pg.url(), "SELECT count(*) FROM jobs WHERE attempts = 2"), 1) << "the page of the dead worker, taken over";
}

TEST(Queue, TheDatabaseRestartedMidBatchIsWaitedForAndTheBatchFinishes) {
    test::TestPostgres pg;
    const std::string dir = test::temp_dir("queue_restart");
    const std::string scans = make_scans(dir, 5, 44);
    ASSERT_EQ(test::run_formscan({"queue", "add", "--queue", pg.url(), scans}).status, 0);
    test::FormscanProcess worker(worker_args(pg.url(), {"--workers", "2"}));
    ASSERT_TRUE(wait_for(pg.url(), "SELECT count(*) FROM jobs WHERE state = 'done'", 1)) << worker.err();
    pg.stop();
    std::this_thread::sleep_for(std::chrono::seconds(3));  // pages read meanwhile wait to be stored
    pg.start();
    int status = worker.wait();
    ASSERT_TRUE(exited_ok(status)) << worker.err();
    EXPECT_NE(worker.err().find("the database is not answering"), std::string::npos) << "the restart was noticed";
    expect_every_page_stored_once(pg.url(), 5);
}

TEST(Queue, APageThatCrashesTheReaderIsRetriedThenMarkedFailedAndTheBatchFinishes) {
    test::TestPostgres pg;
    const std::string dir = test::temp_dir("queue_poison");
    const std::string scans = make_scans(dir, 3, 45);
    std::string one_page;
    for (const auto& entry : fs::directory_iterator(scans))
        if (entry.path().extension() == ".png") one_page = entry.path().string();
    ASSERT_FALSE(one_page.empty());
    fs::copy_file(one_page, scans + "/poison.png");
    // The real plugins and one that crashes (SIGSEGV) on pages of files named *poison*, first in the pipeline.
    const std::string plugins = dir + "/plugins";
    fs::create_directories(plugins);
    for (const auto& entry : fs::directory_iterator(test::plugin_dir()))
        fs::create_symlink(entry.path(), plugins + "/" + entry.path().filename().string());
    fs::create_symlink(test::fixture_plugin_dir() + "/libformscan_fixture_crash.so", plugins + "/libformscan_fixture_crash.so");
    const auto config = default_config(test::templates());
    std::string stages = "\"fixture_crash_on_poison\"";
    for (const auto& stage : config.pipelines.at("zj-hedui").stages) stages += ", \"" + stage + "\"";
    test::write_text(dir + "/config.json", "{\"pipeline\": {\"zj-hedui\": [" + stages + "]}}");

    ASSERT_EQ(test::run_formscan({"queue", "add", "--queue", pg.url(), "--template", "zj-hedui", scans}).status, 0);
    test::FormscanProcess worker(
        worker_args(pg.url(), {"--plugins", plugins, "--config", dir + "/config.json", "--max-attempts", "3", "--lease", "30"}));
    int status = worker.wait();
    ASSERT_TRUE(exited_ok(status)) << worker.err();
    auto s = status_json(pg.url());
    auto failure = s->getArray("failures")->getObject(0);
    EXPECT_EQ(s->getValue<long>("done"), 3) << failure->getValue<std::string>("error") << worker.err();
    ASSERT_EQ(s->getValue<long>("failed"), 1);
    EXPECT_NE(failure->getValue<std::string>("source").find("poison.png"), std::string::npos);
    EXPECT_EQ(failure->getValue<int>("attempts"), 3);
    EXPECT_NE(failure->getValue<std::string>("error").find("SIGSEGV"), std::string::npos) << failure->getValue<std::string>("error");
    EXPECT_EQ(count(pg.url(), "SELECT count(*) FROM pages"), 3);
}

namespace {

// Two network namespaces, each joined to this one by a veth pair: 10.231.N.1 here,
// 10.231.N.2 inside. Needs root (CAP_NET_ADMIN); `available` tells why not otherwise.
class NetworkNamespaces {
public:
    NetworkNamespaces() {
        if (geteuid() != 0) {
            why_not_ = "not root";
            return;
        }
        const std::string tag = std::to_string(getpid() % 10000);
        for (int n = 1; n <= 2; ++n) {
            std::string ns = "fsq" + tag + "_" + std::to_string(n), here = "fsq" + tag + "h" + std::to_string(n);
            std::string net = "10.231." + std::to_string(n);
            std::string script = "ip netns add " + ns + " && ip link add " + here + " type veth peer name inner && " +
                                 "ip link set inner netns " + ns + " && ip addr add " + net + ".1/24 dev " + here +
                                 " && ip link set " + here + " up && ip netns exec " + ns + " ip addr add " + net +
                                 ".2/24 dev inner && ip netns exec " + ns + " ip link set inner up && ip netns exec " + ns +
                                 " ip link set lo up";
            names_.push_back({ns, here});
            if (std::system((script + " 2>/dev/null").c_str()) != 0) {
                why_not_ = "cannot create network namespaces here (" + script + " failed)";
                return;
            }
        }
    }
    ~NetworkNamespaces() {
        for (const auto& [ns, here] : names_) std::system(("ip link del " + here + " 2>/dev/null; ip netns del " + ns + " 2>/dev/null").c_str());
    }
    bool available() const { return why_not_.empty(); }
    const std::string& why_not() const { return why_not_; }
    const std::string& name(int n) const { return names_.at(static_cast<std::size_t>(n - 1)).first; }

private:
    std::vector<std::pair<std::string, std::string>> names_;
    std::string why_not_;
};

}  // namespace

TEST(Queue, WorkersInSeparateNetworkNamespacesShareTheBatchOverTcp) {
    NetworkNamespaces hosts;
    if (!hosts.available()) GTEST_SKIP() << "separate hosts cannot be simulated on this machine: " << hosts.why_not();
    test::TestPostgres pg("10.231.1.1,10.231.2.1");
    const std::string dir = test::temp_dir("queue_netns");
    const std::string scans = make_scans(dir, 5, 46);
    ASSERT_EQ(test::run_formscan({"queue", "add", "--queue", pg.url(), scans}).status, 0);
    // Each worker sees the database only across its own link, as another machine would.
    test::FormscanProcess first(worker_args(pg.tcp_url("10.231.1.1")), {"ip", "netns", "exec", hosts.name(1)});
    test::FormscanProcess second(worker_args(pg.tcp_url("10.231.2.1")), {"ip", "netns", "exec", hosts.name(2)});
    int s1 = first.wait(), s2 = second.wait();
    ASSERT_TRUE(exited_ok(s1)) << first.err();
    ASSERT_TRUE(exited_ok(s2)) << second.err();
    expect_every_page_stored_once(pg.url(), 5);
    auto by_host = status_json(pg.url())->getObject("done_by_host");
    ASSERT_TRUE(by_host->has("10.231.1.2") && by_host->has("10.231.2.2")) << "both hosts read pages";
    EXPECT_EQ(by_host->getValue<long>("10.231.1.2") + by_host->getValue<long>("10.231.2.2"), 5);
}

TEST(Queue, SqliteIsRefusedWithAClearError) {
    const std::string dir = test::temp_dir("queue_sqlite");
    EXPECT_EQ(test::error_code([&] { JobQueue queue("sqlite:" + dir + "/q.sqlite"); }), "formscan.store.unsupported");
}
