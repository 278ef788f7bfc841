// Delivery throughput: records per second from a store's outbox into the registry on
// loopback (both real: formscan-registry's server and push_outbox), over HTTP and HTTPS,
// with batches of 100 and one record per request. Baseline: HTTP with batches of 100.
#include "bench_util.hpp"
#include "cli_args.hpp"

#include "formscan/form_template.hpp"
#include "formscan/paths.hpp"
#include "formscan/review_store.hpp"
#include "formscan/stage.hpp"
#include "people.hpp"
#include "registry.hpp"
#include "sender.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

namespace formscan::bench {

namespace {

const std::string kToken = "bench-token-0123456789abcdef";

// A store whose outbox holds `records` validated records.
std::string outbox_of(const std::string& dir, const FormTemplate& form, int records) {
    const std::string url = "sqlite:" + dir + "/office.sqlite";
    ReviewStore store(url);
    std::mt19937 rng(1);
    Page page;
    page.image = cv::Mat(50, 50, CV_8UC1, cv::Scalar(255));
    for (int done = 0, p = 0; done < records; ++p) {
        page.source = "bench/page_" + std::to_string(p) + ".png";
        std::vector<Record> rows;
        for (int r = 1; r <= 10 && done < records; ++r, ++done) {
            synth::Person person = synth::random_person(form, "曹娥街道", "光王村", rng);
            Record rec = make_empty_record(form, page, r);
            for (auto& f : rec.fields) f.status = FieldStatus::ok, f.confidence = 1, f.reader = "bench";
            rec.at("name").value = person.name;
            rec.at("sex").value = person.sex;
            rec.at("id_number").value = person.id_number;
            rec.at("birth_date").value = person.birth_date;
            rows.push_back(rec);
        }
        store.add_page(page, rows);
    }
    return url;
}

}  // namespace

int deliver_command(const std::vector<std::string>& argv) {
    cli::Args args(argv, {"--records", "--runs"}, {});
    const int records = args.get_int("--records", 1000, 10, 1000000);
    const int runs = args.get_int("--runs", 3, 1, 50);
    auto templates = load_templates(default_templates_dir());
    const FormTemplate& form = templates.at("zj-hedui");
    const std::string dir = (std::filesystem::temp_directory_path() / "formscan_bench_deliver").string();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    if (std::system(("bash " + std::string(FORMSCAN_SOURCE_DIR_FOR_BENCH) + "/tests/support/make_test_ca.sh " + dir + "/pki").c_str()) != 0)
        throw std::runtime_error("cannot make the test certificates (openssl)");
    struct Case {
        const char* name;
        bool https;
        int batch;
    };
    const Case cases[] = {{"HTTP,  batches of 100 (baseline)", false, 100},
                          {"HTTP,  one record per request", false, 1},
                          {"HTTPS, batches of 100", true, 100},
                          {"HTTPS, one record per request", true, 1}};
    std::printf("delivery of %d records on loopback, median of %d runs (records/s):\n", records, runs);
    double baseline = 0;
    for (const auto& c : cases) {
        std::vector<double> rates;
        for (int run = 0; run < runs; ++run) {
            const std::string run_dir = dir + "/run";
            std::filesystem::remove_all(run_dir);
            std::filesystem::create_directories(run_dir);
            const std::string url = outbox_of(run_dir, form, records);
            registry::RegistryOptions options;
            options.store_url = "sqlite:" + run_dir + "/registry.sqlite";
            options.token = kToken;
            options.port = 0;
            if (c.https) options.certificate = dir + "/pki/server.pem", options.private_key = dir + "/pki/server.key";
            registry::RegistryServer server(options);
            server.start();
            SenderOptions sender;
            sender.url = std::string(c.https ? "https" : "http") + "://127.0.0.1:" + std::to_string(server.port());
            sender.token = kToken;
            sender.ca_file = dir + "/pki/ca.pem";
            sender.batch = c.batch;
            ReviewStore store(url);
            PushSummary summary;
            const double seconds = time_once([&] { summary = push_outbox(store, sender); });
            if (summary.sent != records) throw std::runtime_error(std::string(c.name) + ": only " + std::to_string(summary.sent) + " sent: " + summary.last_error);
            rates.push_back(records / seconds);
        }
        const double rate = median(rates);
        if (baseline == 0) baseline = rate;
        std::printf("  %-34s %9.0f  (x%.2f the baseline)\n", c.name, rate, rate / baseline);
    }
    std::filesystem::remove_all(dir);
    return 0;
}

}  // namespace formscan::bench
