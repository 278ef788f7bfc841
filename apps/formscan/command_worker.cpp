// `formscan worker`: reads the pages of a PostgreSQL job queue (`formscan queue add`) on
// any number of machines. The worker process is a supervisor: it forks the readers (one
// per --workers), and when a reader dies (a page that crashes the reader: a poison page),
// it gives that page's attempt back to the queue with the signal as its error and starts
// another reader. A page is stored under its job's key and then marked done, so a page
// read twice (its reader died after storing it) is stored once. Readers wait for the
// database when it goes away (a restart) and carry on.
#include "cli_args.hpp"
#include "commands.hpp"
#include "reading_setup.hpp"
#include "sender.hpp"

#include "formscan/error.hpp"
#include "formscan/job_queue.hpp"
#include "formscan/logging.hpp"
#include "formscan/masking.hpp"
#include "formscan/review_store.hpp"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace formscan::cli {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop = true; }

struct WorkerOptions {
    std::string queue_url, store_url, batch;
    int readers = 1;
    std::chrono::seconds lease{60};
    int max_attempts = 3;
    bool exit_when_done = false;
    std::chrono::milliseconds poll{2000};
    std::chrono::seconds db_wait{600};  // how long a reader waits for the database before giving up
};

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Runs a database call, reconnecting and retrying while the database is away (restarted,
// the network down), for up to `wait`; then the last error is thrown.
class Database {
public:
    Database(const WorkerOptions& options) : options_(options) {}
    template <class F>
    auto call(F&& f) -> decltype(f(std::declval<JobQueue&>(), std::declval<ReviewStore&>())) {
        auto delay = 250ms;
        const auto deadline = Clock::now() + options_.db_wait;
        while (true) {
            try {
                if (!queue_) queue_ = std::make_unique<JobQueue>(options_.queue_url);
                if (!store_) store_ = std::make_unique<ReviewStore>(options_.store_url);
                return f(*queue_, *store_);
            } catch (const std::exception& e) {
                queue_.reset(), store_.reset();
                if (Clock::now() > deadline) throw;
                logger("formscan.worker").warning("the database is not answering (" + mask_personal_data(e.what()) +
                                                  "); trying again");
                std::this_thread::sleep_for(delay);
                delay = std::min<std::chrono::milliseconds>(delay * 2, 5s);
            }
        }
    }

private:
    const WorkerOptions& options_;
    std::unique_ptr<JobQueue> queue_;
    std::unique_ptr<ReviewStore> store_;
};

// The scan file of a job: a path, or an http(s) URL fetched into memory.
std::unique_ptr<ScanFile> open_source(const std::string& source, const DecodeLimits& limits) {
    if (source.rfind("http://", 0) != 0 && source.rfind("https://", 0) != 0) return ScanFile::open(source, limits);
    Poco::URI uri(source);
    SenderOptions http;
    http.receive_timeout = 60s;
    auto session = open_http_session(uri, http);
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
    session->sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& body = session->receiveResponse(response);
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK)
        throw Error("formscan.input.fetch", "fetching " + source + " answered " + std::to_string(response.getStatus()) + " " +
                                                response.getReason());
    std::string bytes;
    char chunk[65536];
    while (body.read(chunk, sizeof chunk) || body.gcount() > 0) {
        bytes.append(chunk, static_cast<std::size_t>(body.gcount()));
        if (static_cast<std::int64_t>(bytes.size()) > limits.max_bytes)
            throw Error("formscan.decode.too_large", source + " is larger than " + std::to_string(limits.max_bytes) + " bytes");
    }
    if (response.hasContentLength() && static_cast<std::int64_t>(bytes.size()) != response.getContentLength64())
        throw Error("formscan.input.fetch", "fetching " + source + " was cut short");
    return ScanFile::open_memory(std::move(bytes), uri.getPath(), limits);
}

// One reader: claims a job, reads its page(s), stores them under the job's key, marks it
// done; until stopped, or the queue is finished (--exit-when-done). Returns the exit status.
int reader_loop(const WorkerOptions& options, const ReadingSetup& setup) {
    const std::string me = worker_name();
    auto& log = logger("formscan.worker");
    Database db(options);
    PageReader reader(*setup.host, setup.templates, setup.config, setup.env);

    // The heartbeat: the lease of the job being read is renewed while the page is read.
    std::atomic<bool> heartbeat_on{true};
    std::thread heartbeat([&] {
        std::unique_ptr<JobQueue> queue;
        auto next = Clock::now();
        while (heartbeat_on) {
            std::this_thread::sleep_for(200ms);
            if (Clock::now() < next) continue;
            next = Clock::now() + options.lease / 3;
            try {
                if (!queue) queue = std::make_unique<JobQueue>(options.queue_url);
                queue->renew(me, options.lease);
            } catch (const std::exception&) {
                queue.reset();  // the database is away; the reader waits for it too
            }
        }
    });
    struct StopHeartbeat {
        std::atomic<bool>& on;
        std::thread& thread;
        ~StopHeartbeat() { on = false, thread.join(); }
    } stop_heartbeat{heartbeat_on, heartbeat};

    int pages = 0;
    double carried_queue_seconds = 0;  // completing the previous job: coordination, counted with the next claim
    try {
        while (!g_stop) {
            auto claiming = Clock::now();
            std::optional<Job> job =
                db.call([&](JobQueue& q, ReviewStore&) { return q.claim(me, options.batch, options.lease, options.max_attempts); });
            double queue_seconds = seconds_since(claiming) + carried_queue_seconds;
            carried_queue_seconds = 0;
            if (!job) {
                if (options.exit_when_done && db.call([&](JobQueue& q, ReviewStore&) { return q.finished(options.batch); })) break;
                std::this_thread::sleep_for(options.poll);
                continue;
            }
            auto reading = Clock::now();
            std::vector<std::pair<Page, std::vector<Record>>> read;
            try {
                auto file = open_source(job->source, setup.config.limits);
                int first = job->page < 0 ? 0 : job->page, last = job->page < 0 ? file->page_count() - 1 : job->page;
                for (int i = first; i <= last; ++i) {
                    DecodedPage decoded = file->decode(i);
                    Page page;
                    page.source = job->source;
                    page.index = i;
                    page.dpi = decoded.dpi;
                    page.dpi_from_file = decoded.dpi > 0;
                    page.image = std::move(decoded.gray);
                    auto records = reader.read(page, job->template_id);
                    read.emplace_back(std::move(page), std::move(records));
                }
            } catch (const std::exception& e) {
                std::string error = mask_personal_data(e.what());
                log.error("job " + std::to_string(job->id) + " (" + job->source + ", attempt " + std::to_string(job->attempts) +
                          "): " + error);
                db.call([&](JobQueue& q, ReviewStore&) {
                    q.attempt_failed(job->id, error, options.max_attempts);
                    return 0;
                });
                continue;
            }
            const double read_seconds = seconds_since(reading);
            auto storing = Clock::now();
            db.call([&](JobQueue&, ReviewStore& store) {
                for (const auto& [page, records] : read)
                    store.add_page(page, records, "job:" + std::to_string(job->id) + "#" + std::to_string(page.index));
                return 0;
            });
            const double store_seconds = seconds_since(storing);
            auto completing = Clock::now();
            db.call([&](JobQueue& q, ReviewStore&) {
                q.complete(job->id, read_seconds, queue_seconds, store_seconds);
                return 0;
            });
            carried_queue_seconds = seconds_since(completing);
            pages += static_cast<int>(read.size());
            log.information("job " + std::to_string(job->id) + " done: " + std::to_string(read.size()) + " page(s) of " + job->source);
        }
    } catch (const std::exception& e) {
        std::cerr << "formscan worker " << me << ": gave up: " << mask_personal_data(e.what()) << "\n";
        return 1;
    }
    log.information(me + " read " + std::to_string(pages) + " page(s)");
    return kExitOk;
}

// The supervisor's pusher: sends the store's outbox every few seconds until told to stop.
int pusher_loop(const std::string& store_url, const SenderOptions& options) {
    BackgroundPusher pusher(store_url, options);
    while (!g_stop) std::this_thread::sleep_for(200ms);
    PushSummary s = pusher.finish();
    std::cerr << "formscan worker: delivered " << s.sent << " record(s), " << s.refused << " refused, " << s.pending << " pending"
              << (s.last_error.empty() ? "" : " (last error: " + s.last_error + ")") << "\n";
    return s.pending > 0 ? kExitSkipped : kExitOk;
}

pid_t spawn(const std::function<int()>& body) {
    const pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) throw Error("formscan.worker.fork", std::string("cannot start a reader: ") + std::strerror(errno));
    if (pid > 0) return pid;
    // A worker killed outright (the machine's power, SIGKILL) takes its readers with it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    int status = 1;
    try {
        status = body();
    } catch (const std::exception& e) {
        std::cerr << "formscan worker: " << mask_personal_data(e.what()) << "\n";
    }
    std::cout.flush(), std::cerr.flush();
    _exit(status);
}

std::string describe(int status) {
    if (WIFSIGNALED(status)) {
        const char* name = sigabbrev_np(WTERMSIG(status));
        return "the reader crashed: signal " + std::to_string(WTERMSIG(status)) + (name ? std::string(" (SIG") + name + ")" : "");
    }
    return "the reader exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

int worker_command(const std::vector<std::string>& argv) {
    Args args(argv, {"--queue", "--store", "--name", "--workers", "--lease", "--max-attempts", "--poll", "--db-wait", "--config", "-D",
                     "--plugins", "--templates", "--registry", "--ca", "--batch", "--printed"},
              {"--exit-when-done", "--push"});
    WorkerOptions options;
    options.queue_url = args.get("--queue");
    if (options.queue_url.empty())
        throw Error("formscan.cli.missing_option", "--queue postgresql:host=... dbname=... user=... is required");
    options.store_url = args.get("--store", options.queue_url);
    options.batch = args.get("--name");
    options.readers = args.get_int("--workers", 1, 1, 256);
    options.lease = std::chrono::seconds(args.get_int("--lease", 60, 2, 86400));
    options.max_attempts = args.get_int("--max-attempts", 3, 1, 100);
    options.exit_when_done = args.has("--exit-when-done");
    options.poll = std::chrono::milliseconds(args.get_int("--poll", 2000, 10, 600000));
    options.db_wait = std::chrono::seconds(args.get_int("--db-wait", 600, 1, 86400));
    std::optional<SenderOptions> push;
    if (args.has("--push")) push = sender_options(args);

    // Everything that can be wrong with the arguments fails here, before any reader starts.
    ReadingSetup setup = reading_setup(args, "auto");
    JobQueue(options.queue_url).finished(options.batch);  // the database answers, the table exists

    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);

    std::map<pid_t, std::string> readers;  // pid -> its name in the job table
    auto start_reader = [&] {
        pid_t pid = spawn([&] { return reader_loop(options, setup); });
        readers[pid] = worker_name(pid);
    };
    for (int i = 0; i < options.readers; ++i) start_reader();
    pid_t pusher = push ? spawn([&] { return pusher_loop(options.store_url, *push); }) : -1;

    int exit_status = kExitOk;
    bool stopping = false;
    while (!readers.empty()) {
        int status = 0;
        rusage usage{};
        pid_t pid = wait4(-1, &status, 0, &usage);
        if (pid < 0) {
            if (errno != EINTR) break;
            if (g_stop && !stopping) {  // Ctrl+C or SIGTERM: the readers finish their page and stop
                stopping = true;
                for (const auto& [reader, name] : readers) kill(reader, SIGTERM);
            }
            continue;
        }
        if (pid == pusher) {
            pusher = -1;
            continue;
        }
        auto it = readers.find(pid);
        if (it == readers.end()) continue;
        const std::string name = it->second;
        readers.erase(it);
        std::cerr << "formscan worker: reader " << name << " ended (peak memory " << usage.ru_maxrss / 1024 << " MiB)"
                  << (WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : ": " + describe(status)) << "\n";
        if (WIFEXITED(status)) {
            if (WEXITSTATUS(status) != 0) exit_status = WEXITSTATUS(status);
            continue;  // done, stopped, or gave up on the database
        }
        // Killed by a signal while reading: that page's attempt failed with it, and a new reader takes over.
        try {
            Database db(options);
            db.call([&](JobQueue& q, ReviewStore&) { return q.worker_died(name, describe(status), options.max_attempts); });
        } catch (const std::exception& e) {
            std::cerr << "formscan worker: cannot record the crash: " << mask_personal_data(e.what()) << "\n";
        }
        if (!g_stop) {
            std::this_thread::sleep_for(500ms);  // a crash loop must not spin
            start_reader();
        }
    }
    if (pusher > 0) {
        kill(pusher, SIGTERM);
        int status = 0;
        waitpid(pusher, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) != 0 && exit_status == kExitOk) exit_status = WEXITSTATUS(status);
    }
    return exit_status;
}

}  // namespace formscan::cli
