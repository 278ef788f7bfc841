// printed_values: on pages `formscan print` made, the values it printed are known (the
// batch's manifest, FORMS.pdf.batch.jsonl): each is checked against what was read rather
// than read blind, and a value struck through and written anew goes to a reviewer. A page
// whose code could not be read is identified by the ID numbers printed on it.
// See README.md in this folder.
#include "formscan/error.hpp"
#include "formscan/id_number.hpp"
#include "formscan/masking.hpp"
#include "formscan/page_code.hpp"
#include "formscan/print_manifest.hpp"
#include "formscan/stage.hpp"
#include "formscan/text_utils.hpp"

#include <Poco/ClassLibrary.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <map>
#include <memory>

namespace formscan {

namespace {

// An ID number read whole, its check digit right.
bool valid_id(const Field* id) { return id && id->text().size() == 18 && id_has_valid_check(id->text()); }

// Whether `read` is in order within `printed` (a wrapped cell read in part).
bool part_of(const std::vector<std::string>& read, const std::vector<std::string>& printed) {
    std::size_t at = 0;
    for (const auto& c : read) {
        while (at < printed.size() && printed[at] != c) ++at;
        if (at++ >= printed.size()) return false;
    }
    return true;
}

// A reading near enough to the printed text to be a misreading of it: a character in
// two wrong, a part of it, or the printed text among the reader's alternatives.
bool misread_of(const Field& field, const std::string& printed) {
    const auto read = utf8_chars(field.text()), want = utf8_chars(printed);
    if (is_printed_code(want)) return false;
    if (edit_distance(read, want) <= std::max<std::size_t>(1, want.size() / 2)) return true;
    if (read.size() * 3 >= want.size() && part_of(read, want)) return true;
    return std::any_of(field.alternatives.begin(), field.alternatives.end(), [&](const Alternative& a) { return a.value == printed; });
}

// A code read as printed, but with another reading nearly as likely: ink over the print
// (a correction whose strike was missed) reads so.
bool doubtful_code(const Field& field) {
    if (!is_printed_code(utf8_chars(field.text())) || field.alternatives.size() < 2) return false;
    return field.alternatives[1].score >= 0.67 * field.alternatives[0].score;
}

}  // namespace

class PrintedValuesStage : public Stage {
public:
    StageInfo info() const override {
        return {"printed_values",
                "1.0.0",
                "checks the values formscan print printed against the reading; identifies a page without its code by its ID numbers",
                {kHasRecords},
                {},
                {
                    {"batches", ParamType::string, "", 0, 0,
                     "folder of the manifests formscan print wrote (FORMS.pdf.batch.jsonl); empty: nothing is checked"},
                    {"min_id_matches", ParamType::integer, "2", 1, 20,
                     "printed ID numbers read alike that identify a page whose code was not read (a one-person sheet: 1)"},
                }};
    }

    void configure(const ParamValues& params, const StageEnvironment&) override {
        const std::string folder = params.get_string("batches");
        if (!folder.empty()) manifests_ = load_print_manifests(folder);
        min_id_matches_ = static_cast<int>(params.get_int("min_id_matches"));
    }

    void process(PageContext& ctx) override {
        if (!manifests_) return;
        auto code = parse_page_code(ctx.page.code);
        if (!code) code = identify_by_ids(ctx);
        if (!code) return;
        auto batch = manifests_->pages.find(code->batch);
        if (batch == manifests_->pages.end()) {
            ctx.page.add_issue("printed_values", "printed.unknown_batch", "no manifest of batch " + code->batch + " in the batches folder");
            return;
        }
        auto page = batch->second.find(code->page);
        if (page == batch->second.end()) return;  // a blank page of the batch
        for (auto& record : ctx.records) {
            const Record* printed = printed_row(page->second, record);
            if (!printed) continue;
            // Tied to the person printed on that row, whatever the row's place on the scan.
            record.batch = printed->batch;
            record.batch_page = printed->batch_page;
            record.person_key = printed->person_key;
            check(ctx.page, pixels_per_mm(ctx), *printed, record);
        }
    }

private:
    // The printed row a record was read from: the one whose printed ID number it holds
    // (a row found above the first, or one missed, shifts the places of those below), else
    // the one at its place, unless that row's printed ID number is another valid one's.
    static const Record* printed_row(const std::map<int, Record>& rows, const Record& record) {
        const Field* id = record.find("id_number");
        const bool read_whole = valid_id(id);
        if (read_whole)
            for (const auto& [row, printed] : rows)
                if (const Field* p = printed.find("id_number"); p && p->text() == id->text()) return &printed;
        auto at = rows.find(std::max(record.row, 1));
        if (at == rows.end()) return nullptr;
        const Field* printed_id = at->second.find("id_number");
        if (read_whole && printed_id && !printed_id->text().empty()) return nullptr;  // someone else's row
        return &at->second;
    }

    // The page's code, made again from the batch page whose printed ID numbers the page holds.
    std::optional<PageCode> identify_by_ids(PageContext& ctx) const {
        std::map<std::pair<std::string, int>, int> votes;
        int ids = 0;
        for (const auto& record : ctx.records) {
            const Field* id = record.find("id_number");
            if (!valid_id(id)) continue;
            ++ids;
            auto found = manifests_->by_id.find(id->text());
            if (found != manifests_->by_id.end()) ++votes[found->second];
        }
        std::pair<std::string, int> best;
        int most = 0;
        for (const auto& [page, count] : votes)
            if (count > most) best = page, most = count;
        if (most == 0 || most < std::min(min_id_matches_, ids)) return std::nullopt;
        const auto& rows = manifests_->pages.at(best.first).at(best.second);
        PageCode code{ctx.form.id, ctx.form.schema_version, best.first, best.second, {}};
        for (const auto& [row, printed] : rows) code.row_keys.push_back(printed.person_key);
        ctx.page.code = to_text(code);
        ctx.page.add_issue("printed_values", "code.unread",
                           "the page code was not read; identified as batch " + best.first + " page " + std::to_string(best.second) +
                               " by " + std::to_string(most) + " printed ID number(s)");
        return code;
    }

    static void check(const Page& page, double px_per_mm, const Record& printed, Record& record) {
        for (const auto& p : printed.fields) {
            if (p.reader != "printed" || p.text().empty()) continue;
            Field* f = record.find(p.key);
            if (!f) continue;
            const std::string read = f->text();
            if (f->box.empty() && f->reader.empty()) {
                // Not found on the page, so not read: what was printed there, for a person to confirm.
                f->value = p.value;
                f->reader = "printed_values";
                f->confidence = 0.5;
                f->status = FieldStatus::review;
                f->errors.push_back({"printed.not_found", "not found on the page: the value printed there is shown"});
                continue;
            }
            if (!f->box.empty() && find_strike(page.image, f->box, px_per_mm, p.text())) {
                // Changed by hand: the new value is the reviewer's to confirm.
                f->status = FieldStatus::review;
                f->alternatives.push_back({p.text(), 0.5});
                f->errors.push_back({"printed.changed", "the printed value is struck through: check the value written beside it"});
                continue;
            }
            if (read == p.text() && doubtful_code(*f)) {
                f->status = FieldStatus::review;
                f->errors.push_back({"printed.doubtful", "read as printed, but as likely read otherwise: ink over the print?"});
                continue;
            }
            if (read == p.text() || misread_of(*f, p.text())) {
                if (read != p.text()) {
                    Poco::Logger::get("formscan.stage.printed_values")
                        .debug("%s page %d row %d %s: read as %s, printed %s", page.source, page.index, record.row, p.key,
                               mask_personal_data(read), mask_personal_data(p.text()));
                    take_printed(*f, p);
                }
                f->confidence = std::max(f->confidence, 0.995);
                if (f->status == FieldStatus::review) f->status = FieldStatus::ok;
                continue;
            }
            // Neither the printed value nor struck through: a person decides, shown first the
            // printed value. Most changes are struck through (the strike is found on about 19
            // in 20), so what is left is mostly a misreading of the print.
            f->status = FieldStatus::review;
            f->errors.push_back({"printed.differs", "reads otherwise than the value printed there"});
            take_printed(*f, p);
        }
    }

    // The printed value in place of the reading, which stays the first alternative.
    static void take_printed(Field& field, const Field& printed) {
        field.alternatives.insert(field.alternatives.begin(), {field.text(), field.confidence});
        field.value = printed.value;
        field.reader = "printed_values";
    }

    std::shared_ptr<const PrintManifests> manifests_;
    int min_id_matches_ = 2;
};

}  // namespace formscan

POCO_BEGIN_NAMED_MANIFEST(FormscanV2, formscan::Stage)
POCO_EXPORT_CLASS(formscan::PrintedValuesStage)
POCO_END_MANIFEST
