// The review queue's speed: time to claim the next item with N items queued and two
// reviewers claiming and correcting at once (each with its own session, as two
// browsers' requests would be), against reading one known item by its id in the same
// store (the baseline: the least a fetch can cost); then the same through the review
// station's HTTP server, against its lightest signed-in request.
#include "bench_util.hpp"
#include "cli_args.hpp"

#include "formscan/form_template.hpp"
#include "formscan/paths.hpp"
#include "formscan/accounts.hpp"
#include "formscan/review_store.hpp"
#include "review_client.hpp"
#include "review_server.hpp"
#include "formscan/stage.hpp"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

namespace formscan::bench {

namespace {

double percentile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

}  // namespace

int review_command(const std::vector<std::string>& argv) {
    cli::Args args(argv, {"--items", "--reviewers", "--fetches"}, {});
    const int items = args.get_int("--items", 10000, 10, 10000000);
    const int reviewers = args.get_int("--reviewers", 2, 1, 64);
    const int fetches = args.get_int("--fetches", 500, 1, 1000000);
    auto templates = load_templates(default_templates_dir());
    const FormTemplate& form = templates.at("zj-hedui");
    const std::string dir = (std::filesystem::temp_directory_path() / "formscan_bench_review").string();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string url = "sqlite:" + dir + "/review.db";

    // Pages of 20 people with 5 fields each to review, until `items` are queued.
    {
        ReviewStore store(url);
        Page page;
        page.image = cv::Mat(1200, 1700, CV_8UC1, cv::Scalar(235));
        int queued = 0, n = 0;
        while (queued < items) {
            page.source = "bench/page_" + std::to_string(n++) + ".png";
            std::vector<Record> records;
            for (int r = 1; r <= 20 && queued < items; ++r) {
                Record rec = make_empty_record(form, page, r);
                int k = 0;
                for (auto& f : rec.fields) {
                    bool open = k++ < 5 && queued < items;
                    f.value = std::string("value");
                    f.box = cv::Rect(20 * k, 50 * r, 80, 40);
                    f.status = open ? FieldStatus::review : FieldStatus::ok;
                    f.confidence = open ? (queued % 997) / 1000.0 : 0.999;
                    queued += open;
                }
                records.push_back(rec);
            }
            store.add_page(page, records);
        }
    }
    std::vector<double> claims[64], baseline;
    auto work = [&](int who) {
        ReviewStore store(url);
        const std::string name = "reviewer" + std::to_string(who);
        for (int i = 0; i < fetches; ++i) {
            std::optional<ReviewItem> item;
            claims[who].push_back(time_once([&] { item = store.claim_next(name, std::chrono::seconds(300)); }));
            if (!item) break;
            store.correct(item->id, name, {"corrected"});
        }
    };
    std::vector<std::thread> threads;
    for (int w = 0; w < reviewers; ++w) threads.emplace_back(work, w);
    for (auto& t : threads) t.join();
    {
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::Session session("SQLite", dir + "/review.db");
        using namespace Poco::Data::Keywords;
        for (int i = 0; i < fetches; ++i) {
            long id = 1 + (i * 7919) % items;
            std::string value;
            baseline.push_back(time_once([&] { session << "SELECT value FROM items WHERE id = ?", use(id), into(value), now; }));
        }
    }
    std::vector<double> all;
    for (int w = 0; w < reviewers; ++w) all.insert(all.end(), claims[w].begin(), claims[w].end());
    const double base = median(baseline);
    std::printf("review queue of %d items (SQLite, WAL), %d reviewers claiming and correcting at once, %zu claims:\n", items,
                reviewers, all.size());
    std::printf("  read one item by id (baseline)   median %7.3f ms  p95 %7.3f ms\n", 1000 * base, 1000 * percentile(baseline, 0.95));
    std::printf("  claim the next item              median %7.3f ms  p95 %7.3f ms  (x%.1f the baseline)\n", 1000 * median(all),
                1000 * percentile(all, 0.95), median(all) / base);

    // The same over HTTP, as the review page waits for it: `formscan serve`'s server on
    // 127.0.0.1, each reviewer with a kept-alive connection, claiming and correcting; the
    // baseline is the lightest signed-in request (who am I) on the same server.
    {
        Accounts accounts(url);
        for (int w = 0; w < reviewers; ++w) accounts.set_user("reviewer" + std::to_string(w), "bench-password", Role::reviewer);
    }
    ReviewServerOptions options;
    options.store_url = url;
    options.web_dir = default_web_dir();
    options.plugin_dir = default_plugin_dir();
    options.templates_dir = default_templates_dir();
    options.port = 0;
    ReviewServer server(options);
    server.start();
    std::vector<double> http_claims[64], http_baseline;
    auto http_work = [&](int who) {
        ReviewClient client("127.0.0.1", server.port());
        client.sign_in("reviewer" + std::to_string(who), "bench-password");
        for (int i = 0; i < fetches; ++i) {
            ReviewReply next;
            http_claims[who].push_back(time_once([&] { next = client.call("POST", "/api/items/next"); }));
            if (next.status != 200) break;
            client.call("POST", "/api/items/" + std::to_string(next.json()->getValue<long>("id")) + "/correct",
                        R"({"value":"corrected"})");
            if (who == 0) http_baseline.push_back(time_once([&] { client.call("GET", "/api/session"); }));
        }
    };
    threads.clear();
    for (int w = 0; w < reviewers; ++w) threads.emplace_back(http_work, w);
    for (auto& t : threads) t.join();
    server.stop();
    std::vector<double> http_all;
    for (int w = 0; w < reviewers; ++w) http_all.insert(http_all.end(), http_claims[w].begin(), http_claims[w].end());
    const double http_base = median(http_baseline);
    std::printf("over HTTP (formscan serve on 127.0.0.1), %d reviewers, %zu claims:\n", reviewers, http_all.size());
    std::printf("  who-am-I request (baseline)      median %7.3f ms  p95 %7.3f ms\n", 1000 * http_base,
                1000 * percentile(http_baseline, 0.95));
    std::printf("  fetch the next item              median %7.3f ms  p95 %7.3f ms  (x%.1f the baseline)\n", 1000 * median(http_all),
                1000 * percentile(http_all, 0.95), median(http_all) / http_base);
    std::filesystem::remove_all(dir);
    return 0;
}

}  // namespace formscan::bench
