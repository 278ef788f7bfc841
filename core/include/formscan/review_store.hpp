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

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace Poco::Data {
class Session;
}

namespace formscan {

struct ReviewItem {
    long id = 0;
    long record_id = 0;
    std::string source;  // where the record came from
    int page = 0;
    int row = 0;
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
    long add_page(const Page& page, const std::vector<Record>& records);
    // The least certain open item nobody else holds (or whose claim has lapsed), now held
    // by `reviewer` until the lease ends; nothing when the queue is empty.
    std::optional<ReviewItem> claim_next(const std::string& reviewer, std::chrono::seconds lease);
    // The reviewer's value for an item they hold: written into its record (status ok,
    // reader "review"), audited, the item closed. Throws store.not_held when the item is
    // not theirs (any more).
    void correct(long item, const std::string& reviewer, const std::string& value);
    // Gives an item back (skipped) without changing it.
    void release(long item, const std::string& reviewer);
    std::vector<AuditEntry> history(long item);
    long open_items();
    // Every record with the corrections made so far, by source, page and row.
    std::vector<Record> records();
    // The straightened page image (PNG) of a page, for context.
    std::vector<unsigned char> page_png(long page_id);

private:
    void execute(const std::string& sql);
    std::string sql(std::string text) const;  // "?" placeholders as the backend wants them
    std::unique_ptr<Poco::Data::Session> session_;
    bool postgres_ = false;
};

}  // namespace formscan
