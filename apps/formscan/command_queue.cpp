// `formscan queue add|status|retry`: the job table that `formscan worker`s share (job_queue.hpp).
#include "cli_args.hpp"
#include "commands.hpp"

#include "formscan/batch_runner.hpp"
#include "formscan/error.hpp"
#include "formscan/job_queue.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace formscan::cli {

namespace {

const char* kQueueUsage =
    "usage: formscan queue add --queue URL [--name BATCH] [--template ID] FOLDER|FILE|http(s)://URL...\n"
    "       formscan queue status --queue URL [--name BATCH] [--json]\n"
    "       formscan queue retry --queue URL [--name BATCH]   (failed pages back to pending)\n";

bool is_url(const std::string& input) { return input.rfind("http://", 0) == 0 || input.rfind("https://", 0) == 0; }

std::string clock_text(double seconds) {
    if (seconds < 0) return "?";
    long s = static_cast<long>(seconds + 0.5);
    char text[32];
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    return text;
}

int add(const Args& args) {
    if (args.positional().size() < 2) throw Error("formscan.cli.missing_input", kQueueUsage);
    DecodeLimits limits;
    std::vector<JobSpec> jobs;
    std::vector<std::string> local;
    for (std::size_t i = 1; i < args.positional().size(); ++i) {
        const std::string& input = args.positional()[i];
        // A file behind a URL is one job: its pages are known only once it is fetched.
        if (is_url(input)) jobs.push_back({input, -1, args.get("--template", "auto")});
        else local.push_back(input);
    }
    // Paths are stored absolute: every worker must see the same path (the shared drive mounted alike).
    for (const auto& file : expand_inputs(local)) {
        std::string path = std::filesystem::absolute(file).lexically_normal().string();
        int pages = count_pages(path, limits);
        if (pages <= 0) jobs.push_back({path, -1, args.get("--template", "auto")});  // the worker reports why it cannot be read
        for (int p = 0; p < pages; ++p) jobs.push_back({path, p, args.get("--template", "auto")});
    }
    JobQueue queue(args.get("--queue"));
    long added = queue.add(args.get("--name", "default"), jobs);
    std::cerr << "formscan queue: " << added << " page(s) added to batch \"" << args.get("--name", "default") << "\" ("
              << jobs.size() - static_cast<std::size_t>(added) << " already there)\n";
    return kExitOk;
}

int status(const Args& args) {
    JobQueue queue(args.get("--queue"));
    const std::string batch = args.get("--name");
    QueueStatus s = queue.status(batch);
    if (args.has("--json")) {
        Poco::JSON::Object out;
        out.set("batch", batch), out.set("pending", s.pending), out.set("running", s.running), out.set("done", s.done);
        out.set("failed", s.failed), out.set("workers", s.workers), out.set("pages_per_second", s.pages_per_second);
        out.set("seconds_left", s.seconds_left), out.set("mean_read_seconds", s.mean_read_seconds);
        out.set("mean_queue_seconds", s.mean_queue_seconds), out.set("mean_store_seconds", s.mean_store_seconds);
        Poco::JSON::Array failures;
        for (const auto& f : s.failures) {
            Poco::JSON::Object o;
            o.set("source", f.source), o.set("page", f.page), o.set("attempts", f.attempts), o.set("error", f.error);
            failures.add(o);
        }
        out.set("failures", failures);
        Poco::JSON::Object hosts;
        for (const auto& [host, n] : s.done_by_host) hosts.set(host, n);
        out.set("done_by_host", hosts);
        Poco::JSON::Stringifier::stringify(out, std::cout);
        std::cout << "\n";
        return kExitOk;
    }
    std::printf("batch %s: %ld pending, %ld in progress, %ld done, %ld failed\n", batch.empty() ? "(all)" : batch.c_str(), s.pending,
                s.running, s.done, s.failed);
    std::printf("%.2f pages/s over the last 10 minutes, %s left, %ld worker(s) active\n", s.pages_per_second,
                clock_text(s.seconds_left).c_str(), s.workers);
    if (s.done > 0)
        std::printf("per page: %.3f s reading, %.4f s in the queue, %.4f s storing\n", s.mean_read_seconds, s.mean_queue_seconds,
                    s.mean_store_seconds);
    for (const auto& [host, n] : s.done_by_host) std::printf("done by %s: %ld\n", host.c_str(), n);
    for (const auto& f : s.failures)
        std::printf("failed: %s%s (%d attempts): %s\n", f.source.c_str(), f.page >= 0 ? (" page " + std::to_string(f.page)).c_str() : "",
                    f.attempts, f.error.c_str());
    return kExitOk;
}

}  // namespace

int queue_command(const std::vector<std::string>& argv) {
    Args args(argv, {"--queue", "--name", "--template"}, {"--json"});
    if (args.positional().empty() || !args.has("--queue")) throw Error("formscan.cli.missing_input", kQueueUsage);
    const std::string& what = args.positional().front();
    if (what == "add") return add(args);
    if (what == "status") return status(args);
    if (what == "retry") {
        long n = JobQueue(args.get("--queue")).retry_failed(args.get("--name"));
        std::cerr << "formscan queue: " << n << " failed page(s) back to pending\n";
        return kExitOk;
    }
    throw Error("formscan.cli.unknown_command", std::string("unknown queue command \"") + what + "\"\n" + kQueueUsage);
}

}  // namespace formscan::cli
