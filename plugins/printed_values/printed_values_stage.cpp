// printed_values: on pages `formscan print` made, the values it printed are known (the
// batch's manifest, FORMS.pdf.batch.jsonl): each is checked against what was read rather
// than read blind, and a value struck through and written anew goes to a reviewer. A page
// whose code could not be read is identified by the ID numbers printed on it.
// See README.md in this folder.
#include "formscan/error.hpp"
#include "formscan/id_number.hpp"
#include "formscan/masking.hpp"
#include "formscan/page_code.hpp"
#include "formscan/record_json.hpp"
#include "formscan/stage.hpp"
#include "formscan/text_utils.hpp"

#include <Poco/ClassLibrary.h>
#include <Poco/Logger.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

namespace formscan {

namespace {

// What one batch printed: page (1-based) -> row (1-based) -> the printed record.
struct Manifests {
    std::map<std::string, std::map<int, std::map<int, Record>>> pages;
    // Printed ID number -> (batch, page).
    std::map<std::string, std::pair<std::string, int>> by_id;
};

std::shared_ptr<const Manifests> load_manifests(const std::string& folder) {
    auto manifests = std::make_shared<Manifests>();
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        throw Error("formscan.printed_values.batches", "batches: " + folder + " is not a folder");
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() < 12 || name.compare(name.size() - 12, 12, ".batch.jsonl") != 0) continue;
        std::ifstream in(entry.path());
        std::string line;
        for (int number = 1; std::getline(in, line); ++number) {
            if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
            Record r;
            try {
                r = record_from_json_line(line);
            } catch (const Error& e) {
                throw Error("formscan.printed_values.manifest", entry.path().string() + ":" + std::to_string(number) + ": " + e.what());
            }
            if (r.batch.empty() || r.batch_page < 1) continue;
            r.row = std::max(r.row, 1);  // a one-person sheet's record is its row 1
            for (const auto& f : r.fields)
                if (f.reader == "printed" && f.key == "id_number" && !f.text().empty()) manifests->by_id[f.text()] = {r.batch, r.batch_page};
            manifests->pages[r.batch][r.batch_page][r.row] = std::move(r);
        }
    }
    return manifests;
}

// A long straight stroke, level or slanting a little, across the middle of the field: the
// printed value struck through.
bool struck_through(const cv::Mat& page, const cv::Rect& box, double px_per_mm, double min_mm) {
    const cv::Rect inside = box & cv::Rect(0, 0, page.cols, page.rows);
    if (inside.width < 20 || inside.height < 8) return false;
    // The middle band only: the cell's ruling lines above and below are no strike.
    const cv::Rect band(inside.x, inside.y + inside.height / 4, inside.width, inside.height / 2);
    cv::Mat ink;
    cv::threshold(page(band), ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
    std::vector<cv::Vec4i> lines;
    // Across most of the cell; in a narrow cell, longer than any printed stroke.
    const double min_length = std::max(0.45 * band.width, min_mm * px_per_mm);
    if (min_length > band.width) return false;
    // Gaps of a fraction of a millimetre only: the level strokes of printed characters side
    // by side (二, 王, 宇) are apart by more, a pen's line is not.
    cv::HoughLinesP(ink, lines, 1, CV_PI / 360, static_cast<int>(min_length / 2), min_length, std::max(1.0, 0.15 * px_per_mm));
    // A pen's line is thin where it runs between the strokes it crosses; a row of small
    // printed characters, blurred into a bar, is as thick as they are tall.
    auto thin = [&](const cv::Vec4i& l) {
        std::vector<int> runs;
        for (int k = 1; k < 20; ++k) {
            const int x = l[0] + (l[2] - l[0]) * k / 20, y = l[1] + (l[3] - l[1]) * k / 20;
            if (x < 0 || x >= ink.cols || y < 0 || y >= ink.rows || !ink.at<unsigned char>(y, x)) continue;
            int top = y, bottom = y;
            while (top > 0 && ink.at<unsigned char>(top - 1, x)) --top;
            while (bottom + 1 < ink.rows && ink.at<unsigned char>(bottom + 1, x)) ++bottom;
            runs.push_back(bottom - top + 1);
        }
        if (runs.size() < 5) return false;
        std::nth_element(runs.begin(), runs.begin() + static_cast<std::ptrdiff_t>(runs.size() / 4), runs.end());
        return runs[runs.size() / 4] <= std::max(2.0, 0.8 * px_per_mm);
    };
    for (const auto& l : lines) {
        const double dx = std::abs(l[2] - l[0]), dy = std::abs(l[3] - l[1]);
        if (dx >= min_length && dy <= 0.36 * dx && thin(l)) return true;  // a hasty pen's slant, up to 20 degrees
    }
    return false;
}

// An ID number read whole, its check digit right.
bool valid_id(const Field* id) { return id && id->text().size() == 18 && id_has_valid_check(id->text()); }

// A code or a tick (one or two characters): read otherwise, it is another value, not a misreading.
bool is_code(const std::vector<std::string>& chars) {
    return chars.size() <= 2 && std::all_of(chars.begin(), chars.end(), [](const std::string& c) {
               return c == "√" || (c.size() == 1 && std::isdigit(static_cast<unsigned char>(c[0])));
           });
}

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
    if (is_code(want)) return false;
    if (edit_distance(read, want) <= std::max<std::size_t>(1, want.size() / 2)) return true;
    if (read.size() * 3 >= want.size() && part_of(read, want)) return true;
    return std::any_of(field.alternatives.begin(), field.alternatives.end(), [&](const Alternative& a) { return a.value == printed; });
}

// A code read as printed, but with another reading nearly as likely: ink over the print
// (a correction whose strike was missed) reads so.
bool doubtful_code(const Field& field) {
    if (!is_code(utf8_chars(field.text())) || field.alternatives.size() < 2) return false;
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
        if (!folder.empty()) manifests_ = load_manifests(folder);
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
            // A level stroke of a printed character is up to 3.4 mm long, of a printed digit half that.
            const double strike_mm = is_code(utf8_chars(p.text())) ? 2.0 : 4.0;
            if (!f->box.empty() && struck_through(page.image, f->box, px_per_mm, strike_mm)) {
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

    std::shared_ptr<const Manifests> manifests_;
    int min_id_matches_ = 2;
};

}  // namespace formscan

POCO_BEGIN_NAMED_MANIFEST(FormscanV2, formscan::Stage)
POCO_EXPORT_CLASS(formscan::PrintedValuesStage)
POCO_END_MANIFEST
