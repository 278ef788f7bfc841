#include "formscan/review_store.hpp"

#include "formscan/delivery.hpp"
#include "formscan/error.hpp"
#include "formscan/masking.hpp"
#include "formscan/record_json.hpp"

#include <Poco/Data/LOB.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <opencv2/imgcodecs.hpp>

#include <mutex>
#include <sstream>

using namespace Poco::Data::Keywords;
using Poco::Data::BLOB;

namespace formscan {

namespace {

Poco::Int64 now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string now_iso() { return Poco::DateTimeFormatter::format(Poco::DateTime(), Poco::DateTimeFormat::ISO8601_FORMAT); }

std::vector<unsigned char> png_of(const cv::Mat& image) {
    std::vector<unsigned char> png;
    if (!image.empty()) cv::imencode(".png", image, png);
    return png;
}

std::string alternatives_json(const std::vector<Alternative>& alternatives) {
    Poco::JSON::Array::Ptr arr = new Poco::JSON::Array;
    for (const auto& a : alternatives) {
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
        o->set("value", a.value);
        o->set("score", a.score);
        arr->add(o);
    }
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(arr, out);
    return out.str();
}

std::vector<Alternative> alternatives_from_json(const std::string& text) {
    std::vector<Alternative> out;
    if (text.empty()) return out;
    auto arr = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; i < arr->size(); ++i) {
        auto o = arr->getObject(static_cast<unsigned>(i));
        out.push_back({o->getValue<std::string>("value"), o->getValue<double>("score")});
    }
    return out;
}

// Items hold text: a yes/no field (a signature, a check box) as "√" or "", a list of
// choices joined by "、".
std::string item_text(const Field& f) {
    if (auto b = std::get_if<bool>(&f.value)) return *b ? "√" : "";
    if (auto l = std::get_if<std::vector<std::string>>(&f.value)) {
        std::string out;
        for (const auto& v : *l) out += (out.empty() ? "" : "、") + v;
        return out;
    }
    return f.text();
}

FieldValue value_from_item_text(const Field& f, const std::string& text) {
    if (std::holds_alternative<bool>(f.value)) {
        if (text == "√" || text == "1" || text == "true") return true;
        if (text.empty() || text == "0" || text == "false") return false;
        throw Error("formscan.store.bad_value", f.key + " is yes or no: \"√\" or empty");
    }
    if (std::holds_alternative<std::vector<std::string>>(f.value)) {
        std::vector<std::string> out;
        for (std::size_t start = 0; start <= text.size() && !text.empty();) {
            std::size_t end = text.find("、", start);
            if (end == std::string::npos) end = text.size();
            if (end > start) out.push_back(text.substr(start, end - start));
            start = end + std::string("、").size();
        }
        return out;
    }
    return text;
}

}  // namespace

ReviewStore::ReviewStore(const std::string& url) : db_(open_store_session(url)) {
    try {
        const std::string id = db_.id_column(), blob = db_.blob_type();
        // Processes opening a new store together (workers on several machines): one creates
        // the tables, the others wait for it.
        db_.begin_write();
        if (db_.postgres) execute("SELECT pg_advisory_xact_lock(730605)");
        execute("CREATE TABLE IF NOT EXISTS pages (id " + id + ", source TEXT NOT NULL, page_index INTEGER NOT NULL, "
                "template TEXT NOT NULL, image " + blob + ", added_at TEXT NOT NULL)");
        execute("CREATE TABLE IF NOT EXISTS records (id " + id + ", page_id BIGINT NOT NULL REFERENCES pages(id), "
                "row_no INTEGER NOT NULL, json TEXT NOT NULL)");
        execute("CREATE TABLE IF NOT EXISTS items (id " + id + ", record_id BIGINT NOT NULL REFERENCES records(id), "
                "field TEXT NOT NULL, value TEXT NOT NULL, confidence DOUBLE PRECISION NOT NULL, status TEXT NOT NULL, "
                "problem TEXT NOT NULL, alternatives TEXT NOT NULL, crop " + blob + ", box TEXT NOT NULL, "
                "priority INTEGER NOT NULL, holder TEXT, lease_until BIGINT NOT NULL DEFAULT 0, done INTEGER NOT NULL DEFAULT 0)");
        // The queue's order, so that the next item is found without a scan.
        execute("CREATE INDEX IF NOT EXISTS items_queue ON items (done, priority, confidence, id)");
        // A record enters the outbox in the transaction that makes it validated.
        execute("CREATE TABLE IF NOT EXISTS outbox (id " + id + ", idem_key TEXT NOT NULL UNIQUE, body TEXT NOT NULL, "
                "state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', "
                "updated_at TEXT NOT NULL)");
        execute("CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (state, id)");
        execute("CREATE TABLE IF NOT EXISTS history (id " + id + ", item_id BIGINT NOT NULL REFERENCES items(id), "
                "reviewer TEXT NOT NULL, at TEXT NOT NULL, old_value TEXT NOT NULL, new_value TEXT NOT NULL, "
                "keystrokes INTEGER NOT NULL DEFAULT -1)");
        // A page's key (its job, or its file and page in a journalled run): a page read
        // twice (a worker died after storing it) is stored once. Added to stores made before it.
        if (db_.postgres) execute("SAVEPOINT probe");
        try {
            execute("SELECT page_key FROM pages LIMIT 0");
            if (db_.postgres) execute("RELEASE SAVEPOINT probe");
        } catch (const Poco::Exception&) {
            if (db_.postgres) execute("ROLLBACK TO SAVEPOINT probe");
            execute("ALTER TABLE pages ADD COLUMN page_key TEXT");
        }
        execute("CREATE UNIQUE INDEX IF NOT EXISTS pages_key ON pages (page_key)");
        execute("COMMIT");
    } catch (const Poco::Exception& e) {
        try { execute("ROLLBACK"); } catch (...) {}
        throw Error("formscan.store.open", "cannot create the review store's tables: " + e.displayText());
    }
}

ReviewStore::~ReviewStore() = default;

void ReviewStore::execute(const std::string& text) { db_.execute(text); }

std::string ReviewStore::sql(std::string text) const { return db_.sql(text); }

long ReviewStore::add_page(const Page& page, const std::vector<Record>& records, const std::string& key) {
    db_.begin_write();
    try {
        if (!key.empty()) {
            std::vector<long> stored;
            std::string k = key;
            *db_.session << sql("SELECT id FROM pages WHERE page_key = ?"), use(k), into(stored), now;
            if (!stored.empty()) {
                execute("COMMIT");
                return stored.front();
            }
        }
        std::vector<unsigned char> image = png_of(page.image);
        BLOB image_blob(image.data(), image.size());
        std::string source = page.source, template_id = records.empty() ? std::string() : records.front().template_id;
        std::string added = now_iso();
        int index = page.index;
        long page_id = 0;
        Poco::Nullable<std::string> page_key;
        if (!key.empty()) page_key = key;
        *db_.session << sql("INSERT INTO pages (source, page_index, template, image, added_at, page_key) VALUES (?, ?, ?, ?, ?, ?) "
                            "RETURNING id"),
            use(source), use(index), use(template_id), use(image_blob), use(added), use(page_key), into(page_id), now;
        for (const auto& record : records) {
            std::string json = record_to_json_line(record);
            int row = record.row;
            long record_id = 0;
            if (record.status() == FieldStatus::ok) enqueue(record, json);
            *db_.session << sql("INSERT INTO records (page_id, row_no, json) VALUES (?, ?, ?) RETURNING id"), use(page_id), use(row),
                use(json), into(record_id), now;
            for (const auto& f : record.fields) {
                if (f.status == FieldStatus::ok) continue;
                cv::Rect around = f.box;
                if (around.area() > 0) {
                    int pad = std::max(4, around.height / 4);
                    around = cv::Rect(around.x - pad, around.y - pad, around.width + 2 * pad, around.height + 2 * pad) &
                             cv::Rect(0, 0, page.image.cols, page.image.rows);
                }
                std::vector<unsigned char> crop = around.area() > 0 && !page.image.empty() ? png_of(page.image(around)) : std::vector<unsigned char>{};
                BLOB crop_blob(crop.data(), crop.size());
                std::string key = f.key, value = item_text(f), status = to_string(f.status);
                std::string problem = f.errors.empty() ? std::string() : f.errors.front().rule + ": " + f.errors.front().message;
                std::string alts = alternatives_json(f.alternatives);
                std::string box = std::to_string(f.box.x) + "," + std::to_string(f.box.y) + "," + std::to_string(f.box.width) + "," +
                                  std::to_string(f.box.height);
                double confidence = f.confidence;
                int priority = f.status == FieldStatus::invalid ? 0 : 1;  // a failed rule first
                *db_.session << sql("INSERT INTO items (record_id, field, value, confidence, status, problem, alternatives, crop, box, "
                                 "priority) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                    use(record_id), use(key), use(value), use(confidence), use(status), use(problem), use(alts), use(crop_blob),
                    use(box), use(priority), now;
            }
        }
        execute("COMMIT");
        return page_id;
    } catch (...) {
        execute("ROLLBACK");
        throw;
    }
}

std::optional<ReviewItem> ReviewStore::claim_next(const std::string& reviewer, std::chrono::seconds lease) {
    db_.begin_write();
    try {
        Poco::Int64 t = now_seconds(), until = t + static_cast<Poco::Int64>(lease.count());
        std::vector<long> ids;
        // Invalid fields first (a rule failed), then the least certain.
        *db_.session << sql(std::string("SELECT id FROM items WHERE done = 0 AND (holder IS NULL OR lease_until < ?) "
                                     "ORDER BY done, priority, confidence, id LIMIT 1") +
                         (db_.postgres ? " FOR UPDATE SKIP LOCKED" : "")),
            use(t), into(ids), now;
        if (ids.empty()) {
            execute("COMMIT");
            return std::nullopt;
        }
        long id = ids.front();
        std::string who = reviewer;
        *db_.session << sql("UPDATE items SET holder = ?, lease_until = ? WHERE id = ?"), use(who), use(until), use(id), now;
        ReviewItem item;
        item.id = id;
        BLOB crop;
        std::string alts, box;
        *db_.session << sql("SELECT i.record_id, i.field, i.value, i.confidence, i.status, i.problem, i.alternatives, i.crop, i.box, "
                         "p.source, p.page_index, r.row_no, p.id, p.template FROM items i JOIN records r ON r.id = i.record_id "
                         "JOIN pages p ON p.id = r.page_id WHERE i.id = ?"),
            into(item.record_id), into(item.field), into(item.value), into(item.confidence), into(item.status), into(item.problem),
            into(alts), into(crop), into(box), into(item.source), into(item.page), into(item.row), into(item.page_id), into(item.template_id), use(id), now;
        execute("COMMIT");
        item.alternatives = alternatives_from_json(alts);
        item.crop_png.assign(crop.content().begin(), crop.content().end());
        int x = 0, y = 0, w = 0, h = 0;
        if (std::sscanf(box.c_str(), "%d,%d,%d,%d", &x, &y, &w, &h) == 4) item.box = cv::Rect(x, y, w, h);
        return item;
    } catch (...) {
        execute("ROLLBACK");
        throw;
    }
}

CorrectionResult ReviewStore::correct(long item, const std::string& reviewer, const Correction& correction, const RecordCheck& check) {
    db_.begin_write();
    try {
        Poco::Int64 t = now_seconds();
        std::vector<long> records;
        std::vector<std::string> fields, old_values;
        std::string who = reviewer;
        *db_.session << sql("SELECT record_id, field, value FROM items WHERE id = ? AND holder = ? AND lease_until >= ? AND done = 0"),
            use(item), use(who), use(t), into(records), into(fields), into(old_values), now;
        if (records.empty())
            throw Error("formscan.store.not_held", "item " + std::to_string(item) + " is not held by " + reviewer + " (any more)");
        long record_id = records.front();
        std::string json;
        *db_.session << sql("SELECT json FROM records WHERE id = ?"), use(record_id), into(json), now;
        Record record = record_from_json_line(json);
        Field& f = record.at(fields.front());
        f.value = value_from_item_text(f, correction.value);
        f.status = FieldStatus::ok;
        f.confidence = 1.0;
        f.reader = "review";
        f.errors.clear();
        CorrectionResult result;
        if (check) {
            // Rules are judged afresh: what an earlier value broke may hold now.
            for (auto& other : record.fields) {
                other.errors.clear();
                if (other.status == FieldStatus::invalid) other.status = FieldStatus::review;
            }
            check(record);
            result.errors = record.at(fields.front()).errors;
        }
        if (!result.errors.empty() && !correction.force) {
            execute("ROLLBACK");
            return result;
        }
        json = record_to_json_line(record);
        *db_.session << sql("UPDATE records SET json = ? WHERE id = ?"), use(json), use(record_id), now;
        std::string new_value = correction.value;
        *db_.session << sql("UPDATE items SET done = 1, value = ?, holder = NULL WHERE id = ?"), use(new_value), use(item), now;
        std::string at = now_iso();
        int keys = correction.keystrokes;
        *db_.session << sql("INSERT INTO history (item_id, reviewer, at, old_value, new_value, keystrokes) VALUES (?, ?, ?, ?, ?, ?)"),
            use(item), use(who), use(at), use(old_values.front()), use(new_value), use(keys), now;
        *db_.session << sql("SELECT COUNT(*) FROM items WHERE record_id = ? AND done = 0"), use(record_id),
            into(result.record_open_items), now;
        if (record.status() == FieldStatus::ok) enqueue(record, json);
        execute("COMMIT");
        result.saved = true;
        result.record_status = record.status();
        return result;
    } catch (...) {
        execute("ROLLBACK");
        throw;
    }
}

void ReviewStore::release(long item, const std::string& reviewer) {
    std::string who = reviewer;
    *db_.session << sql("UPDATE items SET holder = NULL, lease_until = 0 WHERE id = ? AND holder = ?"), use(item), use(who), now;
}

std::vector<AuditEntry> ReviewStore::history(long item) {
    std::vector<std::string> who, at, old_v, new_v;
    *db_.session << sql("SELECT reviewer, at, old_value, new_value FROM history WHERE item_id = ? ORDER BY id"), use(item), into(who),
        into(at), into(old_v), into(new_v), now;
    std::vector<AuditEntry> out;
    for (std::size_t i = 0; i < who.size(); ++i) out.push_back({who[i], at[i], old_v[i], new_v[i]});
    return out;
}

long ReviewStore::open_items() {
    long n = 0;
    *db_.session << "SELECT COUNT(*) FROM items WHERE done = 0", into(n), now;
    return n;
}

void ReviewStore::enqueue(const Record& record, const std::string& json) {
    std::string key = delivery_key(record), body = json, at = now_iso();
    *db_.session << sql("INSERT INTO outbox (idem_key, body, updated_at) VALUES (?, ?, ?) ON CONFLICT (idem_key) DO NOTHING"), use(key),
        use(body), use(at), now;
}

std::vector<OutboxItem> ReviewStore::outbox_pending(int limit) {
    std::vector<long> ids;
    std::vector<std::string> keys, bodies;
    std::vector<int> attempts;
    *db_.session << sql("SELECT id, idem_key, body, attempts FROM outbox WHERE state = 'pending' ORDER BY id LIMIT ?"), use(limit),
        into(ids), into(keys), into(bodies), into(attempts), now;
    std::vector<OutboxItem> out;
    for (std::size_t i = 0; i < ids.size(); ++i) out.push_back({ids[i], keys[i], bodies[i], attempts[i]});
    return out;
}

void ReviewStore::outbox_sent(const std::vector<long>& ids) {
    if (ids.empty()) return;
    db_.begin_write();
    try {
        std::string at = now_iso();
        for (long id : ids) {
            long each = id;
            *db_.session << sql("UPDATE outbox SET state = 'sent', updated_at = ? WHERE id = ?"), use(at), use(each), now;
        }
        execute("COMMIT");
    } catch (...) {
        execute("ROLLBACK");
        throw;
    }
}

void ReviewStore::outbox_refused(long id, const std::string& reason) {
    std::string why = mask_personal_data(reason), at = now_iso();
    *db_.session << sql("UPDATE outbox SET state = 'refused', last_error = ?, updated_at = ? WHERE id = ?"), use(why), use(at), use(id), now;
}

void ReviewStore::outbox_attempted(const std::vector<long>& ids, const std::string& error) {
    std::string why = mask_personal_data(error), at = now_iso();
    for (long id : ids) {
        long each = id;
        *db_.session << sql("UPDATE outbox SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?"), use(why), use(at),
            use(each), now;
    }
}

OutboxCounts ReviewStore::outbox_counts() {
    OutboxCounts c;
    std::vector<std::string> states;
    std::vector<long> counts;
    *db_.session << "SELECT state, COUNT(*) FROM outbox GROUP BY state", into(states), into(counts), now;
    for (std::size_t i = 0; i < states.size(); ++i) {
        if (states[i] == "pending") c.pending = counts[i];
        if (states[i] == "sent") c.sent = counts[i];
        if (states[i] == "refused") c.refused = counts[i];
    }
    std::vector<std::string> keys, reasons;
    *db_.session << "SELECT idem_key, last_error FROM outbox WHERE state = 'refused' ORDER BY id", into(keys), into(reasons), now;
    for (std::size_t i = 0; i < keys.size(); ++i) c.refusals.push_back({keys[i], reasons[i]});
    return c;
}

ReviewStats ReviewStore::stats() {
    ReviewStats stats;
    Poco::Int64 t = now_seconds();
    *db_.session << sql("SELECT COALESCE(SUM(CASE WHEN done = 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(done), 0), "
                        "COALESCE(SUM(CASE WHEN done = 0 AND holder IS NOT NULL AND lease_until >= ? THEN 1 ELSE 0 END), 0) FROM items"),
        use(t), into(stats.open), into(stats.done), into(stats.held), now;
    std::vector<int> keys;
    *db_.session << "SELECT keystrokes FROM history WHERE keystrokes >= 0 ORDER BY keystrokes", into(keys), now;
    stats.counted_corrections = static_cast<long>(keys.size());
    if (!keys.empty()) {
        std::size_t n = keys.size();
        stats.median_keystrokes = n % 2 ? keys[n / 2] : (keys[n / 2 - 1] + keys[n / 2]) / 2.0;
    }
    return stats;
}

std::vector<unsigned char> ReviewStore::crop_png(long item) {
    std::vector<BLOB> crops;
    *db_.session << sql("SELECT crop FROM items WHERE id = ?"), use(item), into(crops), now;
    if (crops.empty()) return {};
    return {crops.front().content().begin(), crops.front().content().end()};
}

std::vector<Record> ReviewStore::records() {
    std::vector<std::string> json;
    *db_.session << "SELECT r.json FROM records r JOIN pages p ON p.id = r.page_id ORDER BY p.source, p.page_index, r.row_no, r.id",
        into(json), now;
    std::vector<Record> out;
    for (const auto& j : json) out.push_back(record_from_json_line(j));
    return out;
}

std::vector<unsigned char> ReviewStore::page_png(long page_id) {
    std::vector<BLOB> images;
    *db_.session << sql("SELECT image FROM pages WHERE id = ?"), use(page_id), into(images), now;
    if (images.empty()) return {};
    return {images.front().content().begin(), images.front().content().end()};
}

}  // namespace formscan
