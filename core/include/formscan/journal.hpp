#pragma once
// The journal of a batch run (`formscan run --out FILE` keeps it in FILE.journal, SQLite):
// every page read, with its records, committed as soon as the page is done. A run killed
// at any moment and started again with the same arguments takes the pages already done
// from the journal instead of reading them again, and writes the whole output anew, in
// input order: no page twice, none lost. A page is known by its file's path, size and
// modification time and its index in the file. One BatchJournal per thread.
#include "formscan/field.hpp"
#include "formscan/store_session.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace formscan {

class BatchJournal {
public:
    // Created when missing; throws store.open. `run` names the run's settings (template,
    // configuration, inputs): a journal of other settings is started anew.
    BatchJournal(const std::string& path, const std::string& run);

    // "size:mtime" of a file, what tells a changed file from the one journalled.
    static std::string signature(const std::string& file);

    struct Entry {
        std::string signature;
        std::vector<Record> records;
    };
    // Every page journalled so far, by (file, page index).
    std::map<std::pair<std::string, int>, Entry> load();
    void done(const std::string& file, int page, const std::string& signature, const std::vector<Record>& records);

private:
    StoreSession db_;
};

}  // namespace formscan
