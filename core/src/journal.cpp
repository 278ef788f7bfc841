#include "formscan/journal.hpp"

#include "formscan/record_json.hpp"

#include <filesystem>
#include <sstream>

using namespace Poco::Data::Keywords;

namespace formscan {

BatchJournal::BatchJournal(const std::string& path, const std::string& run) : db_(open_store_session("sqlite:" + path)) {
    db_.execute("CREATE TABLE IF NOT EXISTS journal (file TEXT NOT NULL, page INTEGER NOT NULL, signature TEXT NOT NULL, "
                "records TEXT NOT NULL, PRIMARY KEY (file, page))");
    db_.execute("CREATE TABLE IF NOT EXISTS run (settings TEXT NOT NULL)");
    db_.begin_write();
    std::vector<std::string> settings;
    *db_.session << "SELECT settings FROM run", into(settings), now;
    std::string mine = run;
    if (settings.empty() || settings.front() != run) {
        // Pages read with other settings are not this run's.
        db_.execute("DELETE FROM journal");
        db_.execute("DELETE FROM run");
        *db_.session << "INSERT INTO run (settings) VALUES (?)", use(mine), now;
    }
    db_.execute("COMMIT");
}

std::string BatchJournal::signature(const std::string& file) {
    std::error_code ec;
    auto size = std::filesystem::file_size(file, ec);
    auto time = std::filesystem::last_write_time(file, ec);
    return std::to_string(ec ? 0 : size) + ":" + std::to_string(time.time_since_epoch().count());
}

std::map<std::pair<std::string, int>, BatchJournal::Entry> BatchJournal::load() {
    std::vector<std::string> files, signatures, records;
    std::vector<int> pages;
    *db_.session << "SELECT file, page, signature, records FROM journal", into(files), into(pages), into(signatures), into(records), now;
    std::map<std::pair<std::string, int>, Entry> out;
    for (std::size_t i = 0; i < files.size(); ++i) {
        Entry e{signatures[i], {}};
        std::istringstream lines(records[i]);
        for (std::string line; std::getline(lines, line);)
            if (!line.empty()) e.records.push_back(record_from_json_line(line));
        out[{files[i], pages[i]}] = std::move(e);
    }
    return out;
}

void BatchJournal::done(const std::string& file, int page, const std::string& signature, const std::vector<Record>& records) {
    std::string lines, f = file, sig = signature;
    for (const auto& r : records) lines += record_to_json_line(r) + "\n";
    int index = page;
    *db_.session << db_.sql("INSERT INTO journal (file, page, signature, records) VALUES (?, ?, ?, ?) "
                            "ON CONFLICT (file, page) DO UPDATE SET signature = excluded.signature, records = excluded.records"),
        use(f), use(index), use(sig), use(lines), now;
}

}  // namespace formscan
