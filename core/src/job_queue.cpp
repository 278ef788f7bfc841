#include "formscan/job_queue.hpp"

#include "formscan/error.hpp"
#include "formscan/masking.hpp"

#include <Poco/Data/Statement.h>
#include <Poco/Tuple.h>

#include <cstdio>

#include <unistd.h>

using namespace Poco::Data::Keywords;

namespace formscan {

namespace {

// A job is claimable when pending, or running with a lease that has run out.
constexpr const char* kClaim =
    "UPDATE jobs SET state = 'running', worker = $1, worker_addr = COALESCE(host(inet_client_addr()), 'local'), "
    "attempts = attempts + 1, lease_until = clock_timestamp() + make_interval(secs => $2::double precision) "
    "WHERE id = (SELECT id FROM jobs WHERE %WHERE% AND ($3::text = '' OR batch = $3::text) "
    "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) "
    "RETURNING id, batch, source, page, template, attempts";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
    return text;
}

}  // namespace

std::string worker_name() { return worker_name(getpid()); }

std::string worker_name(int pid) {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
    return std::string(host) + ":" + std::to_string(pid);
}

JobQueue::JobQueue(const std::string& url) : db_(open_store_session(url)) {
    if (!db_.postgres)
        throw Error("formscan.store.unsupported",
                    "the job queue needs PostgreSQL (postgresql:host=... dbname=... user=...): SQLite cannot share work between machines");
    try {
        // Workers starting together on a new database: one creates the table, the others wait for it.
        db_.execute("BEGIN");
        db_.execute("SELECT pg_advisory_xact_lock(730604)");
        db_.execute("CREATE TABLE IF NOT EXISTS jobs (id BIGSERIAL PRIMARY KEY, batch TEXT NOT NULL, source TEXT NOT NULL, "
                    "page INTEGER NOT NULL, template TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', "
                    "attempts INTEGER NOT NULL DEFAULT 0, worker TEXT NOT NULL DEFAULT '', worker_addr TEXT NOT NULL DEFAULT '', "
                    "lease_until TIMESTAMPTZ, last_error TEXT NOT NULL DEFAULT '', added_at TIMESTAMPTZ NOT NULL DEFAULT now(), "
                    "finished_at TIMESTAMPTZ, read_seconds DOUBLE PRECISION, queue_seconds DOUBLE PRECISION, store_seconds DOUBLE PRECISION, "
                    "UNIQUE (batch, source, page))");
        db_.execute("CREATE INDEX IF NOT EXISTS jobs_claim ON jobs (state, id)");
        db_.execute("COMMIT");
    } catch (const Poco::Exception& e) {
        try { db_.execute("ROLLBACK"); } catch (...) {}
        throw Error("formscan.store.open", "cannot create the job table: " + e.displayText());
    }
}

long JobQueue::add(const std::string& batch, const std::vector<JobSpec>& jobs) {
    long added = 0;
    db_.execute("BEGIN");
    try {
        for (const auto& job : jobs) {
            std::string b = batch, source = job.source, form = job.template_id;
            int page = job.page;
            std::vector<Poco::Int64> ids;
            *db_.session << "INSERT INTO jobs (batch, source, page, template) VALUES ($1, $2, $3, $4) "
                            "ON CONFLICT (batch, source, page) DO NOTHING RETURNING id",
                use(b), use(source), use(page), use(form), into(ids), now;
            added += static_cast<long>(ids.size());
        }
        db_.execute("COMMIT");
    } catch (...) {
        db_.execute("ROLLBACK");
        throw;
    }
    return added;
}

std::optional<Job> JobQueue::claim(const std::string& worker, const std::string& batch, std::chrono::seconds lease, int max_attempts) {
    std::string b = batch, who = worker;
    int most = max_attempts;
    *db_.session << "UPDATE jobs SET state = 'failed', lease_until = NULL, finished_at = clock_timestamp(), "
                    "last_error = 'its worker died or hung while reading it, ' || attempts || ' times' "
                    "|| CASE WHEN last_error = '' THEN '' ELSE ' (last error: ' || last_error || ')' END "
                    "WHERE state = 'running' AND lease_until < clock_timestamp() AND attempts >= $1 "
                    "AND ($2::text = '' OR batch = $2::text)",
        use(most), use(b), now;
    double seconds = static_cast<double>(lease.count());
    // Pending jobs first, in the order they were added; then those whose worker went away.
    for (const char* where : {"state = 'pending'", "state = 'running' AND lease_until < clock_timestamp()"}) {
        std::vector<Poco::Tuple<Poco::Int64, std::string, std::string, int, std::string, int>> rows;
        *db_.session << replace_all(kClaim, "%WHERE%", where), use(who), use(seconds), use(b), into(rows), now;
        if (rows.empty()) continue;
        const auto& r = rows.front();
        return Job{static_cast<long>(r.get<0>()), r.get<1>(), r.get<2>(), r.get<3>(), r.get<4>(), r.get<5>()};
    }
    return std::nullopt;
}

void JobQueue::renew(const std::string& worker, std::chrono::seconds lease) {
    std::string who = worker;
    double seconds = static_cast<double>(lease.count());
    *db_.session << "UPDATE jobs SET lease_until = clock_timestamp() + make_interval(secs => $1::double precision) "
                    "WHERE worker = $2 AND state = 'running'",
        use(seconds), use(who), now;
}

void JobQueue::complete(long job, double read_seconds, double queue_seconds, double store_seconds) {
    Poco::Int64 id = job;
    *db_.session << "UPDATE jobs SET state = 'done', lease_until = NULL, finished_at = clock_timestamp(), "
                    "read_seconds = $1, queue_seconds = $2, store_seconds = $3 WHERE id = $4",
        use(read_seconds), use(queue_seconds), use(store_seconds), use(id), now;
}

namespace {
// The failed attempt of the running job(s) matched by `where` ($1 error, $2 max attempts, $3 the match).
constexpr const char* kAttemptFailed =
    "UPDATE jobs SET state = CASE WHEN attempts >= $2 THEN 'failed' ELSE 'pending' END, lease_until = NULL, "
    "last_error = $1, finished_at = CASE WHEN attempts >= $2 THEN clock_timestamp() END "
    "WHERE state = 'running' AND %WHERE% RETURNING id";
}  // namespace

void JobQueue::attempt_failed(long job, const std::string& error, int max_attempts) {
    std::string masked = mask_personal_data(error);
    Poco::Int64 id = job;
    int most = max_attempts;
    std::vector<Poco::Int64> ids;
    *db_.session << replace_all(kAttemptFailed, "%WHERE%", "id = $3"), use(masked), use(most), use(id), into(ids), now;
}

bool JobQueue::worker_died(const std::string& worker, const std::string& error, int max_attempts) {
    std::string masked = mask_personal_data(error), who = worker;
    int most = max_attempts;
    std::vector<Poco::Int64> ids;
    *db_.session << replace_all(kAttemptFailed, "%WHERE%", "worker = $3"), use(masked), use(most), use(who), into(ids), now;
    return !ids.empty();
}

long JobQueue::retry_failed(const std::string& batch) {
    std::string b = batch;
    std::vector<Poco::Int64> ids;
    *db_.session << "UPDATE jobs SET state = 'pending', attempts = 0, finished_at = NULL "
                    "WHERE state = 'failed' AND ($1::text = '' OR batch = $1::text) RETURNING id",
        use(b), into(ids), now;
    return static_cast<long>(ids.size());
}

bool JobQueue::finished(const std::string& batch) {
    std::string b = batch;
    Poco::Int64 open = 0;
    *db_.session << "SELECT count(*) FROM jobs WHERE state IN ('pending', 'running') AND ($1::text = '' OR batch = $1::text)",
        use(b), into(open), now;
    return open == 0;
}

QueueStatus JobQueue::status(const std::string& batch) {
    QueueStatus s;
    std::string b = batch;
    std::vector<Poco::Tuple<std::string, Poco::Int64>> counts;
    *db_.session << "SELECT state, count(*) FROM jobs WHERE ($1::text = '' OR batch = $1::text) GROUP BY state", use(b),
        into(counts), now;
    for (const auto& c : counts) {
        long n = static_cast<long>(c.get<1>());
        if (c.get<0>() == "pending") s.pending = n;
        else if (c.get<0>() == "running") s.running = n;
        else if (c.get<0>() == "done") s.done = n;
        else if (c.get<0>() == "failed") s.failed = n;
    }
    // The rate of the last ten minutes of work: pages finished after the first one of
    // the window, over the time since it.
    Poco::Int64 recent = 0;
    double span = 0;
    *db_.session << "SELECT count(*), COALESCE(EXTRACT(EPOCH FROM max(finished_at) - min(finished_at)), 0)::double precision "
                    "FROM jobs WHERE state = 'done' AND ($1::text = '' OR batch = $1::text) "
                    "AND finished_at > clock_timestamp() - interval '10 minutes'",
        use(b), into(recent), into(span), now;
    if (recent >= 2 && span > 0) s.pages_per_second = static_cast<double>(recent - 1) / span;
    if (s.pages_per_second > 0) s.seconds_left = static_cast<double>(s.pending + s.running) / s.pages_per_second;
    *db_.session << "SELECT COALESCE(avg(read_seconds), 0), COALESCE(avg(queue_seconds), 0), COALESCE(avg(store_seconds), 0) "
                    "FROM jobs WHERE state = 'done' AND read_seconds IS NOT NULL AND ($1::text = '' OR batch = $1::text)",
        use(b), into(s.mean_read_seconds), into(s.mean_queue_seconds), into(s.mean_store_seconds), now;
    Poco::Int64 workers = 0;
    *db_.session << "SELECT count(DISTINCT worker) FROM jobs WHERE ($1::text = '' OR batch = $1::text) AND "
                    "((state = 'running' AND lease_until > clock_timestamp()) OR finished_at > clock_timestamp() - interval '1 minute')",
        use(b), into(workers), now;
    s.workers = static_cast<long>(workers);
    std::vector<Poco::Tuple<std::string, int, int, std::string>> failed;
    *db_.session << "SELECT source, page, attempts, last_error FROM jobs WHERE state = 'failed' "
                    "AND ($1::text = '' OR batch = $1::text) ORDER BY finished_at DESC, id LIMIT 20",
        use(b), into(failed), now;
    for (const auto& f : failed) s.failures.push_back({f.get<0>(), f.get<1>(), f.get<2>(), f.get<3>()});
    std::vector<Poco::Tuple<std::string, Poco::Int64>> hosts;
    *db_.session << "SELECT worker_addr, count(*) FROM jobs WHERE state = 'done' AND ($1::text = '' OR batch = $1::text) "
                    "GROUP BY worker_addr ORDER BY worker_addr",
        use(b), into(hosts), now;
    for (const auto& h : hosts) s.done_by_host.emplace_back(h.get<0>(), static_cast<long>(h.get<1>()));
    return s;
}

}  // namespace formscan
