#include "formscan/review_store.hpp"

#include "formscan/error.hpp"
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

void register_connectors() {
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::PostgreSQL::Connector::registerConnector();
    });
}

}  // namespace

ReviewStore::ReviewStore(const std::string& url) {
    register_connectors();
    std::string connector = "SQLite", connection = url;
    if (url.rfind("postgresql:", 0) == 0) {
        connector = "PostgreSQL";
        connection = url.substr(11);
        postgres_ = true;
    } else if (url.rfind("sqlite:", 0) == 0) {
        connection = url.substr(7);
    }
    try {
        // A database that cannot be reached is an error within seconds, not a minute.
        session_ = std::make_unique<Poco::Data::Session>(connector, connection, 5);
        if (!postgres_) {
            // Several processes at once: readers never block the writer, and a writer
            // waits for another instead of failing.
            std::string mode;
            *session_ << "PRAGMA journal_mode=WAL", into(mode), now;
            execute("PRAGMA busy_timeout=10000");
        }
        const std::string id = postgres_ ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
        const std::string blob = postgres_ ? "BYTEA" : "BLOB";
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
        execute("CREATE TABLE IF NOT EXISTS history (id " + id + ", item_id BIGINT NOT NULL REFERENCES items(id), "
                "reviewer TEXT NOT NULL, at TEXT NOT NULL, old_value TEXT NOT NULL, new_value TEXT NOT NULL)");
    } catch (const Poco::Exception& e) {
        throw Error("formscan.store.open", "cannot open the review store " + (postgres_ ? std::string("(PostgreSQL)") : url) +
                                               ": " + e.displayText());
    }
}

ReviewStore::~ReviewStore() = default;

void ReviewStore::execute(const std::string& text) { *session_ << text, now; }

std::string ReviewStore::sql(std::string text) const {
    if (!postgres_) return text;
    // libpq numbers its placeholders.
    std::string out;
    int n = 0;
    for (char c : text) out += c == '?' ? "$" + std::to_string(++n) : std::string(1, c);
    return out;
}

long ReviewStore::add_page(const Page& page, const std::vector<Record>& records) {
    execute(postgres_ ? "BEGIN" : "BEGIN IMMEDIATE");
    try {
        std::vector<unsigned char> image = png_of(page.image);
        BLOB image_blob(image.data(), image.size());
        std::string source = page.source, template_id = records.empty() ? std::string() : records.front().template_id;
        std::string added = now_iso();
        int index = page.index;
        long page_id = 0;
        *session_ << sql("INSERT INTO pages (source, page_index, template, image, added_at) VALUES (?, ?, ?, ?, ?) RETURNING id"),
            use(source), use(index), use(template_id), use(image_blob), use(added), into(page_id), now;
        for (const auto& record : records) {
            std::string json = record_to_json_line(record);
            int row = record.row;
            long record_id = 0;
            *session_ << sql("INSERT INTO records (page_id, row_no, json) VALUES (?, ?, ?) RETURNING id"), use(page_id), use(row),
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
                std::string key = f.key, value = f.text(), status = to_string(f.status);
                std::string problem = f.errors.empty() ? std::string() : f.errors.front().rule + ": " + f.errors.front().message;
                std::string alts = alternatives_json(f.alternatives);
                std::string box = std::to_string(f.box.x) + "," + std::to_string(f.box.y) + "," + std::to_string(f.box.width) + "," +
                                  std::to_string(f.box.height);
                double confidence = f.confidence;
                int priority = f.status == FieldStatus::invalid ? 0 : 1;  // a failed rule first
                *session_ << sql("INSERT INTO items (record_id, field, value, confidence, status, problem, alternatives, crop, box, "
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
    execute(postgres_ ? "BEGIN" : "BEGIN IMMEDIATE");
    try {
        Poco::Int64 t = now_seconds(), until = t + static_cast<Poco::Int64>(lease.count());
        std::vector<long> ids;
        // Invalid fields first (a rule failed), then the least certain.
        *session_ << sql(std::string("SELECT id FROM items WHERE done = 0 AND (holder IS NULL OR lease_until < ?) "
                                     "ORDER BY done, priority, confidence, id LIMIT 1") +
                         (postgres_ ? " FOR UPDATE SKIP LOCKED" : "")),
            use(t), into(ids), now;
        if (ids.empty()) {
            execute("COMMIT");
            return std::nullopt;
        }
        long id = ids.front();
        std::string who = reviewer;
        *session_ << sql("UPDATE items SET holder = ?, lease_until = ? WHERE id = ?"), use(who), use(until), use(id), now;
        ReviewItem item;
        item.id = id;
        BLOB crop;
        std::string alts, box;
        *session_ << sql("SELECT i.record_id, i.field, i.value, i.confidence, i.status, i.problem, i.alternatives, i.crop, i.box, "
                         "p.source, p.page_index, r.row_no, p.id FROM items i JOIN records r ON r.id = i.record_id "
                         "JOIN pages p ON p.id = r.page_id WHERE i.id = ?"),
            into(item.record_id), into(item.field), into(item.value), into(item.confidence), into(item.status), into(item.problem),
            into(alts), into(crop), into(box), into(item.source), into(item.page), into(item.row), into(item.page_id), use(id), now;
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

void ReviewStore::correct(long item, const std::string& reviewer, const std::string& value) {
    execute(postgres_ ? "BEGIN" : "BEGIN IMMEDIATE");
    try {
        Poco::Int64 t = now_seconds();
        std::vector<long> records;
        std::vector<std::string> fields, old_values;
        std::string who = reviewer;
        *session_ << sql("SELECT record_id, field, value FROM items WHERE id = ? AND holder = ? AND lease_until >= ? AND done = 0"),
            use(item), use(who), use(t), into(records), into(fields), into(old_values), now;
        if (records.empty())
            throw Error("formscan.store.not_held", "item " + std::to_string(item) + " is not held by " + reviewer + " (any more)");
        long record_id = records.front();
        std::string json;
        *session_ << sql("SELECT json FROM records WHERE id = ?"), use(record_id), into(json), now;
        Record record = record_from_json_line(json);
        Field& f = record.at(fields.front());
        f.value = value;
        f.status = FieldStatus::ok;
        f.confidence = 1.0;
        f.reader = "review";
        f.errors.clear();
        json = record_to_json_line(record);
        *session_ << sql("UPDATE records SET json = ? WHERE id = ?"), use(json), use(record_id), now;
        std::string new_value = value;
        *session_ << sql("UPDATE items SET done = 1, value = ?, holder = NULL WHERE id = ?"), use(new_value), use(item), now;
        std::string at = now_iso();
        *session_ << sql("INSERT INTO history (item_id, reviewer, at, old_value, new_value) VALUES (?, ?, ?, ?, ?)"), use(item),
            use(who), use(at), use(old_values.front()), use(new_value), now;
        execute("COMMIT");
    } catch (...) {
        execute("ROLLBACK");
        throw;
    }
}

void ReviewStore::release(long item, const std::string& reviewer) {
    std::string who = reviewer;
    *session_ << sql("UPDATE items SET holder = NULL, lease_until = 0 WHERE id = ? AND holder = ?"), use(item), use(who), now;
}

std::vector<AuditEntry> ReviewStore::history(long item) {
    std::vector<std::string> who, at, old_v, new_v;
    *session_ << sql("SELECT reviewer, at, old_value, new_value FROM history WHERE item_id = ? ORDER BY id"), use(item), into(who),
        into(at), into(old_v), into(new_v), now;
    std::vector<AuditEntry> out;
    for (std::size_t i = 0; i < who.size(); ++i) out.push_back({who[i], at[i], old_v[i], new_v[i]});
    return out;
}

long ReviewStore::open_items() {
    long n = 0;
    *session_ << "SELECT COUNT(*) FROM items WHERE done = 0", into(n), now;
    return n;
}

std::vector<Record> ReviewStore::records() {
    std::vector<std::string> json;
    *session_ << "SELECT r.json FROM records r JOIN pages p ON p.id = r.page_id ORDER BY p.source, p.page_index, r.row_no, r.id",
        into(json), now;
    std::vector<Record> out;
    for (const auto& j : json) out.push_back(record_from_json_line(j));
    return out;
}

std::vector<unsigned char> ReviewStore::page_png(long page_id) {
    std::vector<BLOB> images;
    *session_ << sql("SELECT image FROM pages WHERE id = ?"), use(page_id), into(images), now;
    if (images.empty()) return {};
    return {images.front().content().begin(), images.front().content().end()};
}

}  // namespace formscan
