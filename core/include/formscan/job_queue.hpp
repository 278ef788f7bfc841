#pragma once
// The job table of an archive conversion spread over many machines (`formscan queue`,
// `formscan worker`), in PostgreSQL: one job per page of a scan file (or per file, for a
// file behind an http(s) URL, whose pages are not known before it is fetched). Workers
// claim jobs with row locks (FOR UPDATE SKIP LOCKED), so two never take the same one,
// and hold them with a lease they renew while reading: the job of a worker that dies
// goes to another once its lease has run out. Every claim counts an attempt; a job that
// has failed or outlived its worker `max_attempts` times is marked failed with its last
// error, and the batch goes on. Times are the database server's, so the clocks of the
// workers' machines do not matter.
// One JobQueue holds one database session: use one per thread. Methods throw
// formscan::Error store.* (or Poco's exceptions) when the database cannot be reached;
// callers reconnect (a new JobQueue) and try again.
#include "formscan/store_session.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace formscan {

struct JobSpec {
    std::string source;       // a path (on a drive every worker sees) or an http(s) URL
    int page = -1;            // page index in the file; -1: every page of the file
    std::string template_id = "auto";
};

struct Job {
    long id = 0;
    std::string batch;
    std::string source;
    int page = -1;
    std::string template_id;
    int attempts = 0;         // this claim included
};

struct JobFailure {
    std::string source;
    int page = -1;
    int attempts = 0;
    std::string error;        // personal data masked
};

struct QueueStatus {
    long pending = 0, running = 0, done = 0, failed = 0;
    long workers = 0;                    // distinct workers holding a live lease or finishing a job in the last minute
    double pages_per_second = 0;         // over the last ten minutes of finished jobs (all of them when fewer)
    double seconds_left = -1;            // (pending + running) / rate; -1 when unknown
    double mean_read_seconds = 0;        // per page: decoding and reading
    double mean_queue_seconds = 0;       // per job: claiming it and completing it (the coordination)
    double mean_store_seconds = 0;       // per job: storing its pages and records in the review store
    std::vector<JobFailure> failures;    // up to 20, latest first
    std::vector<std::pair<std::string, long>> done_by_host;  // the workers' addresses as the database saw them
};

class JobQueue {
public:
    // "postgresql:CONNECTION" only (SQLite cannot lock rows across machines: store.unsupported).
    // Creates the table when missing.
    explicit JobQueue(const std::string& url);

    // Adds jobs to a batch; a (batch, source, page) already there is left as it is, so
    // adding a folder again adds only its new files. Returns the number added.
    long add(const std::string& batch, const std::vector<JobSpec>& jobs);
    // The oldest job that is pending or whose lease has run out, now held by `worker`
    // until the lease ends. `batch` empty: any batch. First marks failed every job whose
    // lease ran out with `max_attempts` attempts spent.
    std::optional<Job> claim(const std::string& worker, const std::string& batch, std::chrono::seconds lease, int max_attempts);
    // Extends the lease of the jobs `worker` holds (a heartbeat while reading).
    void renew(const std::string& worker, std::chrono::seconds lease);
    // The job is done (whoever holds it now: its page was stored under the job's key,
    // so a second reading of it was not stored twice), with the time its worker spent
    // reading it, in the queue (claiming and completing) and storing its results.
    void complete(long job, double read_seconds, double queue_seconds, double store_seconds);
    // This attempt failed: the job is pending again, or failed when its attempts are spent.
    void attempt_failed(long job, const std::string& error, int max_attempts);
    // Like attempt_failed for the job `worker` holds, when the worker died (e.g. crashed).
    // Returns whether it held one.
    bool worker_died(const std::string& worker, const std::string& error, int max_attempts);
    // Failed jobs of a batch (all batches when empty) go back to pending with fresh attempts.
    long retry_failed(const std::string& batch);
    QueueStatus status(const std::string& batch);
    // Whether every job of the batch (all when empty) is done or failed.
    bool finished(const std::string& batch);

private:
    StoreSession db_;
};

// "host:pid", the name in the job table of this process, or of the process `pid` on this host.
std::string worker_name();
std::string worker_name(int pid);

}  // namespace formscan
