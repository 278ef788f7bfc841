#pragma once
// The review store: every processed page (its straightened image), its records, one
// review item per field a person must look at (with the field's crop), and the audit
// history of every correction, in SQLite (default) or PostgreSQL through Poco::Data.
// Several processes may share one store: an item is claimed with a lease, so two
// reviewers never get the same item, a claim lapses when its reviewer goes away, and
// every change is one transaction, so a process that dies loses nothing.
// One ReviewStore holds one database session: use one per thread.
#include "formscan/field.hpp"
#include "formscan/page.hpp"
#include "formscan/store_session.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace formscan {

struct ReviewItem {
    long id = 0;
    long record_id = 0;
    std::string source;  // where the record came from
    int page = 0;
    int row = 0;
    std::string template_id;
    std::string field;   // key
    std::string value;   // as read (or as last corrected)
    double confidence = 0;
    std::string status;  // review or invalid
    std::string problem; // the first failed rule, "rule: message", or ""
    std::vector<Alternative> alternatives;
    std::vector<unsigned char> crop_png;
    cv::Rect box;        // on the page image
    long page_id = 0;
};

struct AuditEntry {
    std::string reviewer;
    std::string at;  // UTC, ISO 8601
    std::string old_value;
    std::string new_value;
};

struct Correction {
    std::string value;
    int keystrokes = -1;  // keys the reviewer pressed for it, when the page counted them
    bool force = false;   // keep the value although a rule fails (it is what the form says)
};

struct CorrectionResult {
    bool saved = false;
    std::vector<RuleResult> errors;  // the rules the corrected value breaks
    FieldStatus record_status = FieldStatus::review;
    long record_open_items = 0;      // items of the same record still open
};

struct ReviewStats {
    long open = 0, done = 0, held = 0;
    double median_keystrokes = -1;   // per corrected field, over corrections whose keys were counted
    long counted_corrections = 0;
};

// Validates a record again after a correction (e.g. the template's validation stages):
// sets the status and errors of its fields.
using RecordCheck = std::function<void(Record&)>;

// The outbox: every record that became validated, waiting for delivery to the registry.
struct OutboxItem {
    long id = 0;
    std::string key;   // the idempotency key (delivery.hpp)
    std::string body;  // the record as JSON
    int attempts = 0;
};

struct OutboxCounts {
    long pending = 0, sent = 0, refused = 0;
    std::vector<std::pair<std::string, std::string>> refusals;  // key, reason (personal data masked)
};

class ReviewStore {
public:
    // "sqlite:PATH" (the default scheme when none is given) or "postgresql:CONNECTION"
    // (libpq's "host=... dbname=... user=..."). Creates the tables when missing.
    // Throws formscan::Error store.* when the database cannot be opened.
    explicit ReviewStore(const std::string& url);
    ~ReviewStore();
    ReviewStore(const ReviewStore&) = delete;
    ReviewStore& operator=(const ReviewStore&) = delete;

    // Adds a page, its records and a review item for each field that is not ok. Returns the page's id.
    // With a `key` (a job, a journalled page), a page already stored under it is not added
    // again: its id is returned.
    long add_page(const Page& page, const std::vector<Record>& records, const std::string& key = "");
    // The least certain open item nobody else holds (or whose claim has lapsed), now held
    // by `reviewer` until the lease ends; nothing when the queue is empty.
    std::optional<ReviewItem> claim_next(const std::string& reviewer, std::chrono::seconds lease);
    // The reviewer's value for an item they hold. The record is validated again with
    // `check` (when given); a value that breaks a rule is not saved unless forced. Saved,
    // it is written into its record (status ok, or invalid when forced; reader "review"),
    // audited, and the item closed, in one transaction. Throws store.not_held when the
    // item is not theirs (any more).
    CorrectionResult correct(long item, const std::string& reviewer, const Correction& correction, const RecordCheck& check = {});
    // Gives an item back (skipped) without changing it.
    void release(long item, const std::string& reviewer);
    std::vector<AuditEntry> history(long item);
    long open_items();
    ReviewStats stats();
    // The crop of one item (PNG), for the review page.
    std::vector<unsigned char> crop_png(long item);
    // Every record with the corrections made so far, by source, page and row.
    std::vector<Record> records();
    // Up to `limit` records waiting for delivery, oldest first.
    std::vector<OutboxItem> outbox_pending(int limit);
    void outbox_sent(const std::vector<long>& ids);
    void outbox_refused(long id, const std::string& reason);
    void outbox_attempted(const std::vector<long>& ids, const std::string& error);
    OutboxCounts outbox_counts();
    // The straightened page image (PNG) of a page, for context.
    std::vector<unsigned char> page_png(long page_id);

private:
    void execute(const std::string& sql);
    void enqueue(const Record& record, const std::string& json);  // into the outbox, inside the caller's transaction
    std::string sql(std::string text) const;  // "?" placeholders as the backend wants them
    StoreSession db_;
};

}  // namespace formscan
