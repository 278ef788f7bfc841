#include "page_header_stage.hpp"

#include "ocr_params.hpp"

#include "formscan/cell_image.hpp"
#include "formscan/paths.hpp"
#include "formscan/text_utils.hpp"

#include <Poco/Logger.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <sstream>

namespace formscan {

namespace {

struct Label {
    int start = -1;   // index of the label's first symbol
    int end = -1;     // index of its last symbol
};

bool is_any(const std::string& s, std::initializer_list<const char*> options) {
    for (const char* o : options)
        if (s == o) return true;
    return false;
}

bool is_label_punctuation(const std::string& c) { return is_any(c, {"(", ")", ":", "（", "）", "："}); }

// One character as the label has it, brackets and colons in either width.
bool same_character(const std::string& a, const std::string& b) {
    auto fold = [](const std::string& c) {
        if (c == "（") return std::string("(");
        if (c == "）") return std::string(")");
        if (c == "：") return std::string(":");
        return c;
    };
    return fold(a) == fold(b);
}

// The printed label of a header field, found by two of its characters side by side (OCR
// of the rest of the label may be imperfect). Where such a pair occurs more than once (a
// village "利后社区" written against its label 村(社区)), the place where more of the label
// reads alike wins, its brackets and colon counting double: values rarely hold them.
// Colons and closing brackets after them belong to the label.
Label find_label(const std::vector<OcrSymbol>& s, const std::string& label) {
    auto chars = utf8_chars(label);
    const int n = static_cast<int>(s.size()), length = static_cast<int>(chars.size());
    Label best;
    int best_score = 0, best_pair = -1;
    for (int i = 0; i + 1 < length; ++i) {
        if (is_label_punctuation(chars[static_cast<std::size_t>(i)])) continue;
        for (int k = 0; k + 1 < n; ++k) {
            if (s[static_cast<std::size_t>(k)].text != chars[static_cast<std::size_t>(i)] ||
                s[static_cast<std::size_t>(k + 1)].text != chars[static_cast<std::size_t>(i + 1)])
                continue;
            const int start = k - i;
            int score = 0, last = k + 1;
            for (int j = 0; j < length; ++j)
                if (start + j >= 0 && start + j < n && same_character(s[static_cast<std::size_t>(start + j)].text, chars[static_cast<std::size_t>(j)])) {
                    score += is_label_punctuation(chars[static_cast<std::size_t>(j)]) ? 2 : 1;
                    last = std::max(last, start + j);
                }
            // The label's end: its last character read as such, or where it should be when
            // more of it follows the pair unread (but not past a colon that was not read:
            // "填表人签名" then the next label).
            if (score > best_score) best_score = score, best_pair = i, best.start = start, best.end = last == k + 1 ? start + length - 1 : last;
        }
    }
    // A pair inside the label alone (社区 of a village written against its label 村(社区))
    // is too little to place it; its first two characters are enough (乡镇 of 乡镇(街道)
    // read without its brackets).
    if (best_score < 3 && best_pair != 0) return {};
    best.start = std::max(0, best.start);
    best.end = std::min(n - 1, best.end);
    // OCR may split or merge a symbol: move the ends to the label's own first and last
    // characters when they are found close by.
    for (int k = best.end + 2; k >= best.end - 2; --k)
        if (k >= 0 && k < n && same_character(s[static_cast<std::size_t>(k)].text, chars.back())) {
            best.end = k;
            break;
        }
    for (int k = best.start - 2; k <= best.start + 2; ++k)
        if (k >= 0 && k < n && same_character(s[static_cast<std::size_t>(k)].text, chars.front())) {
            best.start = k;
            break;
        }
    return best;
}

// A label ending in a colon that OCR misread past knowing ("填表人签名:" in a spaced serif
// read as "华As:"): the one colon on the line outside the labels found ends it.
Label label_by_its_colon(const std::vector<OcrSymbol>& s, const std::string& label, const std::vector<Label>& found) {
    auto chars = utf8_chars(label);
    Label colon;
    if (chars.empty() || !same_character(chars.back(), ":")) return colon;
    int after = -1;  // the end of the label found before it
    for (int k = 0; k < static_cast<int>(s.size()); ++k) {
        if (!same_character(s[static_cast<std::size_t>(k)].text, ":")) continue;
        if (std::any_of(found.begin(), found.end(), [&](const Label& l) { return k >= l.start && k <= l.end; })) continue;
        if (colon.end >= 0) return {};  // two colons: which is the label's is not known
        colon.end = k;
    }
    if (colon.end < 0) return colon;
    for (const auto& l : found)
        if (l.end < colon.end) after = std::max(after, l.end);
    colon.start = std::max(after + 1, colon.end - static_cast<int>(chars.size()) + 1);
    return colon;
}

// Rows of the region holding text lines: [y0, y1) bands with ink.
std::vector<std::pair<int, int>> text_bands(const cv::Mat& ink, int min_height, int merge_gap) {
    cv::Mat rows;
    cv::reduce(ink / 255, rows, 1, cv::REDUCE_SUM, CV_32S);
    std::vector<std::pair<int, int>> bands;
    int start = -1, last = -10 * merge_gap;
    for (int y = 0; y < rows.rows; ++y) {
        if (rows.at<int>(y) < 2) continue;
        if (start >= 0 && y - last > merge_gap) {
            bands.push_back({start, last + 1});
            start = -1;
        }
        if (start < 0) start = y;
        last = y;
    }
    if (start >= 0) bands.push_back({start, last + 1});
    bands.erase(std::remove_if(bands.begin(), bands.end(), [&](auto& b) { return b.second - b.first < min_height; }), bands.end());
    return bands;
}

// A number row's reading says `expected` when it is that number, also beside a rule's
// remnant read as a number of its own (1 2 for 2).
bool says(const std::string& reading, int expected) {
    const std::string number = std::to_string(expected);
    if (remove_spaces(reading) == number) return true;
    std::istringstream words(reading);
    for (std::string word; words >> word;)
        if (word == number) return true;
    return false;
}

}  // namespace

StageInfo PageHeaderStage::info() const {
    return {"page_header",
            "1.0.0",
            "locates the page-header labels above the table and the boxes of their values",
            {kHasCells},
            {},
            {
                {"search_mm", ParamType::number, "30", 5, 80, "how far above the table the header line is searched, in mm"},
                {"text_height_px", ParamType::integer, "40", 16, 120, "height the header line is scaled to for OCR"},
                {"reread_scale", ParamType::number, "2", 1, 4,
                 "a line whose labels are not all found is read again this many times larger (1: not read again)"},
                chinese_model_param(),
            }};
}

void PageHeaderStage::configure(const ParamValues& params, const StageEnvironment& env) {
    search_mm_ = params.get_double("search_mm");
    text_height_ = static_cast<int>(params.get_int("text_height_px"));
    reread_scale_ = params.get_double("reread_scale");
    ocr_ = make_cell_ocr(params, env);
}

void PageHeaderStage::process(PageContext& ctx) {
    const cv::Rect table = ctx.page.table;
    if (table.area() == 0) return;
    check_number_row(ctx);
    const cv::Mat& gray = ctx.page.image;
    double px_per_mm = std::max(gray.cols, gray.rows) / std::max(ctx.form.page_width_mm, ctx.form.page_height_mm);
    int top = std::max(0, table.y - static_cast<int>(search_mm_ * px_per_mm));
    int bottom = std::max(top, table.y - 1);
    if (bottom - top < 3 * px_per_mm) {
        ctx.page.add_issue("page_header", "header.no_room", "no room above the table for the page header");
        return;
    }
    cv::Rect region(table.x, top, table.width, bottom - top);
    cv::Mat ink;
    cv::threshold(gray(region), ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
    auto bands = text_bands(ink, static_cast<int>(1.5 * px_per_mm), static_cast<int>(0.8 * px_per_mm));
    if (bands.empty()) {
        ctx.page.add_issue("page_header", "header.not_found", "no header line above the table");
        return;
    }
    // The header line is the text line nearest the table; the title is above it.
    auto [y0, y1] = bands.back();
    int pad = static_cast<int>(0.6 * px_per_mm);
    cv::Rect line(region.x, std::max(0, region.y + y0 - pad), region.width, y1 - y0 + 2 * pad);
    line &= cv::Rect(0, 0, gray.cols, gray.rows);

    auto read_line = [&](double scale) {
        cv::Mat scaled;
        cv::resize(gray(line), scaled, cv::Size(), scale, scale, cv::INTER_CUBIC);
        return ocr_->symbols(scaled, true);
    };
    // The header fields whose labels a reading of the line holds, and those it lacks.
    struct Placed {
        const FieldSpec* spec;
        Label label;
    };
    struct Labels {
        std::vector<Placed> placed;
        std::vector<const FieldSpec*> missing;
    };
    auto find_labels = [&](const std::vector<OcrSymbol>& symbols) {
        Labels labels;
        for (const auto& spec : ctx.form.fields) {
            if (spec.placement != Placement::header) continue;
            Label label = find_label(symbols, spec.label);
            if (label.start < 0) labels.missing.push_back(&spec);
            else labels.placed.push_back({&spec, label});
        }
        return labels;
    };
    double scale = std::clamp(text_height_ / double(y1 - y0), 0.5, 4.0);
    std::vector<OcrSymbol> symbols = read_line(scale);
    auto [placed, missing] = find_labels(symbols);
    // Handwriting twice as tall as the print (a village written large) makes the line tall
    // and its printed labels too small to read ("乡镇(街道)" as "颅传道"): a line whose labels
    // are not all found is read again at a larger scale (`reread_scale`).
    if (reread_scale_ > 1 && !missing.empty()) {
        const double larger = std::min(reread_scale_ * scale, 8.0);
        std::vector<OcrSymbol> again = read_line(larger);
        if (Labels better = find_labels(again); better.placed.size() > placed.size()) {
            symbols = std::move(again), scale = larger;
            placed = std::move(better.placed), missing = std::move(better.missing);
        }
    }
    if (Poco::Logger& log = Poco::Logger::get("formscan.stage.page_header"); log.debug()) {
        std::string read;
        for (const auto& symbol : symbols) read += symbol.text + " ";
        log.debug("%s#%d header line read as %s", ctx.page.source, ctx.page.index, read);  // places and labels, no one's data
    }
    auto to_page_x = [&](int x) { return line.x + static_cast<int>(x / scale); };

    // Value boxes lie between labels: a "before" value between the previous label's end
    // and its own label's start, an "after" value between its label's end and the next label.
    for (const FieldSpec* spec : missing) {
        std::vector<Label> found;
        for (const auto& p : placed) found.push_back(p.label);
        Label label = missing.size() == 1 ? label_by_its_colon(symbols, spec->label, found) : Label{};
        if (label.start < 0) {
            ctx.page.add_issue("page_header", "header.label_missing", "label " + spec->label + " not found above the table");
            continue;
        }
        placed.push_back({spec, label});
    }
    // Tesseract's box of a label's first character often takes in the space before it, and
    // a value box ending there cut the value's last character in half (明利村 read as 阴利木,
    // 前丰村 as 耐丰木: 木 is 村's left half): a box's right edge moves right to the first
    // column of the line without ink, a character's height at most.
    // (The line's padding may reach past the searched region, into the table's top rule.)
    const int ink_top = std::clamp(line.y - region.y, 0, ink.rows);
    const cv::Mat line_ink = ink.rowRange(ink_top, std::clamp(line.y - region.y + line.height, ink_top, ink.rows));
    auto clear_of_ink = [&](int x) {
        const int allowed = std::max(1, line.height / 40);  // a speck or two
        for (int c = x; c < std::min(x + line.height, region.br().x); ++c)
            if (c >= region.x && cv::countNonZero(line_ink.col(c - region.x)) <= allowed) return c;
        return x;
    };
    std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) { return a.label.start < b.label.start; });
    for (std::size_t i = 0; i < placed.size(); ++i) {
        const auto& p = placed[i];
        int x0, x1;
        if (p.spec->value_side == "before") {
            x0 = i == 0 ? line.x : to_page_x(symbols[placed[i - 1].label.end].box.br().x) + 1;
            x1 = clear_of_ink(to_page_x(symbols[p.label.start].box.x) - 1);
        } else {
            // From the label's last character (its colon), or a little before it, up to
            // the character before: handwriting often starts over the colon, and OCR
            // often merges the colon with the first character written after it.
            x0 = to_page_x(symbols[p.label.end].box.x) - line.height / 2;
            if (p.label.end > p.label.start) x0 = std::max(x0, to_page_x(symbols[p.label.end - 1].box.br().x) + 2);
            x1 = i + 1 < placed.size() ? clear_of_ink(to_page_x(symbols[placed[i + 1].label.start].box.x) - 1) : line.x + line.width;
        }
        // A name, a date or a signature needs a centimetre at least: less means a label
        // was found in the wrong place. Nothing is read there; a person sees the whole
        // header line.
        if (x1 - x0 < 10 * px_per_mm) {
            ctx.page.add_issue("page_header", "header.value_box", "no room found for the value of " + p.spec->label);
            for (auto& record : ctx.records) {
                Field& f = record.at(p.spec->key);
                f.box = line;
                f.reader = "page_header";
                f.confidence = 0;
                f.status = FieldStatus::review;
            }
            continue;
        }
        cv::Rect box(x0, line.y, x1 - x0, line.height);
        ctx.page.cells.push_back({0, p.spec->key, box});
        for (auto& record : ctx.records) record.at(p.spec->key).box = box;
    }
}

// The number row names the columns (1, 2, ... 13 over the five insurance columns ...):
// read under each group of columns that shares a number, it must say the template's
// numbers. A print run with other columns in the same count would otherwise be read
// into the wrong fields: such a page's fields all go to review, with an issue.
void PageHeaderStage::check_number_row(PageContext& ctx) {
    const cv::Rect row = ctx.page.number_row & cv::Rect(0, 0, ctx.page.image.cols, ctx.page.image.rows);
    if (row.area() == 0 || ctx.records.empty() || ctx.form.columns.empty()) return;
    const Record& first = ctx.records.front();
    int read = 0, differ = 0;
    std::string differences;
    for (std::size_t c = 0; c < ctx.form.columns.size();) {
        std::size_t end = c;
        while (end + 1 < ctx.form.columns.size() && ctx.form.columns[end + 1].number == ctx.form.columns[c].number) ++end;
        const Field* left = first.find(ctx.form.columns[c].field);
        const Field* right = first.find(ctx.form.columns[end].field);
        const int expected = ctx.form.columns[c].number;
        c = end + 1;
        if (!left || !right || expected <= 0) continue;
        cv::Rect box(cv::Point(left->box.x, row.y + 2), cv::Point(right->box.br().x, row.br().y - 2));
        box &= row;
        if (box.area() <= 0) continue;
        // The number is printed in the middle: a box taken from rules that run a little
        // askew reaches into a dotted rule, whose dots doubled the ink's height and had
        // the number read at half its size.
        cv::Mat ink = without_dotted_rules(cell_ink(ctx.page.image, box), 1.0 / 3);
        if (ink_bounds(ink).area() == 0) continue;
        OcrResult r = ocr_->read(grey_for_ocr(ctx.page.image, box, ink, 28), false, "0123456789");
        if (r.text.empty()) continue;
        ++read;
        if (!says(r.text, expected)) {
            ++differ;
            differences += (differences.empty() ? "" : ", ") + r.text + " for " + std::to_string(expected);
        }
    }
    // Misread numbers are OCR: a 1-bit scan's small print has a few on every page, and
    // up to nearly half on a bad one (5 read as 3 all over). More than half are another
    // layout.
    if (read < 4 || differ * 2 <= read) return;
    // The calibrate stage sends every field of a page with this issue to review.
    ctx.page.add_issue("page_header", "grid.number_row",
                       "the number row reads " + differences + ": the columns may not be the template's; every field goes to review");
}

}  // namespace formscan
