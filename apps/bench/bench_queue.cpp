// Archive conversion through the job queue: pages per second of `formscan worker` with 1
// and 2 readers against `formscan run --threads 1` on the same pages (the baseline: the
// same reading without a queue; and the same with its results stored in a local SQLite
// review store, as the worker stores them in PostgreSQL), the time per page spent in the queue (claiming and
// completing a job) and storing results against the time spent reading, and the peak
// memory of each reader. PostgreSQL: --queue URL, or a private server started for the
// benchmark. Each figure is the median of --runs runs; every run is a fresh batch.
#include "bench_util.hpp"
#include "cli_args.hpp"

#include "formscan/form_template.hpp"
#include "formscan/job_queue.hpp"
#include "formscan/paths.hpp"
#include "private_postgres.hpp"

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <regex>

namespace formscan::bench {

namespace {

// Runs formscan to its end with OMP_THREAD_LIMIT=1; returns its stderr; throws when it fails.
std::string run_formscan(const std::string& formscan, const std::vector<std::string>& args) {
    Poco::Pipe out;
    Poco::Process::Env env{{"OMP_THREAD_LIMIT", "1"}};
    Poco::ProcessHandle h = Poco::Process::launch(formscan, args, ".", nullptr, &out, &out, env);
    Poco::PipeInputStream in(out);
    std::string text;
    Poco::StreamCopier::copyToString(in, text);
    int rc = h.wait();
    if (rc != 0 && rc != 3) throw std::runtime_error("formscan " + args.front() + " exited with " + std::to_string(rc) + ":\n" + text);
    return text;
}

// The readers' peak memory (MiB) as the worker reports it when each ends.
std::vector<double> reader_memory(const std::string& worker_output) {
    std::vector<double> mib;
    static const std::regex peak(R"(peak memory (\d+) MiB)");
    for (std::sregex_iterator it(worker_output.begin(), worker_output.end(), peak), end; it != end; ++it)
        mib.push_back(std::stod((*it)[1]));
    return mib;
}

}  // namespace

int queue_command(const std::vector<std::string>& argv) {
    cli::Args args(argv, {"--pages", "--runs", "--seed", "--queue", "--formscan"}, {});
    const int pages = args.get_int("--pages", 12, 2, 10000);
    const int runs = args.get_int("--runs", 3, 1, 50);
    const std::string formscan = args.get("--formscan", (std::filesystem::path(default_plugin_dir()).parent_path() / "bin/formscan").string());
    std::unique_ptr<PrivatePostgres> server;
    std::string url = args.get("--queue");
    if (url.empty()) {
        server = std::make_unique<PrivatePostgres>("", 54331);
        url = server->url();
    }
    const std::string dir = (std::filesystem::temp_directory_path() / "formscan_bench_queue").string();
    std::filesystem::remove_all(dir);
    const std::string scans = synth_pages(dir, pages, static_cast<unsigned>(args.get_int("--seed", 21, 0, 1 << 30)));

    std::vector<double> baseline, stored, one, two, read_s, queue_s, store_s, memory;
    for (int r = 0; r < runs; ++r) {
        baseline.push_back(time_once([&] {
            run_formscan(formscan, {"run", "--fresh", "--no-progress", "--template", "zj-hedui", "--threads", "1", "--out",
                                    dir + "/run.jsonl", scans});
        }));
        stored.push_back(time_once([&] {
            std::filesystem::remove(dir + "/store.sqlite");
            run_formscan(formscan, {"run", "--fresh", "--no-progress", "--template", "zj-hedui", "--threads", "1", "--store",
                                    "sqlite:" + dir + "/store.sqlite", "--out", dir + "/run.jsonl", scans});
        }));
        for (int readers : {1, 2}) {
            const std::string batch = "bench-" + std::to_string(r) + "-" + std::to_string(readers);
            run_formscan(formscan, {"queue", "add", "--queue", url, "--name", batch, "--template", "zj-hedui", scans});
            std::string output;
            double seconds = time_once([&] {
                output = run_formscan(formscan, {"worker", "--queue", url, "--name", batch, "--workers", std::to_string(readers),
                                                 "--exit-when-done", "--poll", "100"});
            });
            (readers == 1 ? one : two).push_back(seconds);
            for (double m : reader_memory(output)) memory.push_back(m);
            QueueStatus s = JobQueue(url).status(batch);
            if (s.done != pages) throw std::runtime_error(batch + ": " + std::to_string(s.done) + " of " + std::to_string(pages) + " pages done");
            if (readers == 1) read_s.push_back(s.mean_read_seconds), queue_s.push_back(s.mean_queue_seconds), store_s.push_back(s.mean_store_seconds);
        }
    }
    const double n = pages;
    const double base = n / median(baseline);
    std::printf("%d 核对表 pages (A4, 300 dpi, PNG), median of %d runs, PostgreSQL %s:\n", pages, runs,
                server ? "private server on this machine" : "given by --queue");
    std::printf("  formscan run --threads 1 (baseline, no queue)   %6.3f pages/s\n", base);
    for (auto& [name, times] : {std::pair{"formscan run --threads 1 --store sqlite:FILE", &stored},
                                std::pair{"formscan worker --workers 1", &one}, std::pair{"formscan worker --workers 2", &two}}) {
        const double rate = n / median(*times);
        std::printf("  %-47s %6.3f pages/s  x%.2f the baseline\n", name, rate, rate / base);
    }
    const double read = median(read_s), queue = median(queue_s), store = median(store_s);
    std::printf("  per page with 1 reader: reading %.3f s, in the queue (claim + complete) %.4f s (%.2f%% of reading), "
                "storing results %.4f s (%.2f%%)\n",
                read, queue, 100 * queue / read, store, 100 * store / read);
    std::printf("  peak memory per reader: median %.0f MiB, largest %.0f MiB (%zu readers)\n", median(memory), max_of(memory), memory.size());
    std::printf("  projection: N machines of 2 cores with --workers 2 read about N x %.2f pages/s; the queue's own work is\n"
                "  %.4f s per page (storing results is mostly the reader encoding the page and crops)\n",
                n / median(two), queue);
    std::filesystem::remove_all(dir);
    return 0;
}

}  // namespace formscan::bench
