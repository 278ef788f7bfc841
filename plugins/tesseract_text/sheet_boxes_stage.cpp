#include "sheet_boxes_stage.hpp"

#include "ocr_params.hpp"

#include "formscan/cell_image.hpp"
#include "formscan/text_utils.hpp"

#include <Poco/Logger.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace formscan {

namespace {

// Labels are clean printed text: Debian's fast model reads them, in a third of the time.
ParamSpec fast_chinese_model_param() {
    ParamSpec spec = chinese_model_param();
    spec.default_value = "chi_sim";
    return spec;
}

enum class BoxState { empty, ticked, filled };

struct CheckBox {
    cv::Rect rect;
    double ink = 0;  // ink share inside, away from the border
    BoxState state = BoxState::empty;
    double confidence = 0;
    std::string label;  // as OCR read it
    std::pair<std::string, double> glyph;  // what OCR reads the box itself as, when ticked
};

// One option of a choice field (or a check field itself) as printed on the sheet.
struct Option {
    const FieldSpec* field;
    std::string value;  // the option ("" for a check field)
    std::vector<std::string> chars;  // what its printed label should read (CJK only)
};

double clamp01(double v) { return std::clamp(v, 0.0, 1.0); }

std::vector<std::string> cjk_only(const std::string& text) {
    std::vector<std::string> out;
    for (auto& c : utf8_chars(text))
        if (is_han(c)) out.push_back(c);
    return out;
}

// How much of `option` the label's beginning holds (longest common subsequence), less
// a little for each character the label has before it: 非农业 holds all of 农业, but is
// 非农业's label.
double label_similarity(const std::vector<std::string>& label, const std::vector<std::string>& option) {
    if (option.empty()) return 0;
    const std::size_t n = std::min(label.size(), option.size() + 2), m = option.size();
    std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
    for (std::size_t i = 1; i <= n; ++i)
        for (std::size_t j = 1; j <= m; ++j)
            lcs[i][j] = label[i - 1] == option[j - 1] ? lcs[i - 1][j - 1] + 1 : std::max(lcs[i - 1][j], lcs[i][j - 1]);
    std::size_t leading = 0;
    while (leading < std::min<std::size_t>(n, 2) && std::find(option.begin(), option.end(), label[leading]) == option.end()) ++leading;
    if (lcs[n][m] == 0) return 0;
    return std::max(0.0, static_cast<double>(lcs[n][m]) / static_cast<double>(m) - 0.15 * static_cast<double>(leading));
}

bool shares_a_character(const std::vector<std::string>& label, const std::vector<std::string>& option) {
    return std::any_of(label.begin(), label.end(), [&](const std::string& c) { return std::find(option.begin(), option.end(), c) != option.end(); });
}

// Boxes (in reading order) to options (in template order): the alignment with the best
// total of label similarities, where a box may be no option (a glyph taken for a box)
// and an option may have no box (missed, or printed without one). A square inside a
// label (工, 国, 田 ...) cuts it in two: a box and the square after it on its line may
// also take one option together, with the two labels joined. Returns, per box, the
// index of its option or -1.
std::vector<int> align(const std::vector<CheckBox>& boxes, const std::vector<Option>& options) {
    // Skipping a box and an option costs more than matching them on an unreadable label:
    // a box between two matched ones is the option between theirs.
    constexpr double kSkipBox = -0.3, kSkipOption = -0.3, kMatchBias = -0.45, kJoinPenalty = -0.1;
    const std::size_t n = boxes.size(), m = options.size();
    constexpr double kNone = -1e9;
    std::vector<std::vector<double>> score(n + 1, std::vector<double>(m + 1, kNone));
    std::vector<std::vector<char>> move(n + 1, std::vector<char>(m + 1, 0));
    score[0][0] = 0;
    std::vector<std::vector<std::string>> labels;
    for (const auto& b : boxes) labels.push_back(cjk_only(b.label));
    auto same_line = [&](std::size_t a, std::size_t b) {
        return std::abs(boxes[a].rect.y - boxes[b].rect.y) < boxes[a].rect.height * 0.6 && boxes[b].rect.x > boxes[a].rect.x;
    };
    for (std::size_t i = 0; i <= n; ++i) {
        for (std::size_t j = 0; j <= m; ++j) {
            auto consider = [&](double value, char how) {
                if (value > score[i][j]) score[i][j] = value, move[i][j] = how;
            };
            if (i > 0) consider(score[i - 1][j] + kSkipBox, 'b');
            if (j > 0) consider(score[i][j - 1] + kSkipOption, 'o');
            if (i > 0 && j > 0) consider(score[i - 1][j - 1] + label_similarity(labels[i - 1], options[j - 1].chars) + kMatchBias, 'm');
            // Joined only when the first box's label holds part of the option: after a
            // glyph taken for a box (the 口 of 户口性质) comes the real box, with all of it.
            // A label that holds all of it already is its own (工人, then the next box ticked
            // over its label).
            if (i > 1 && j > 0 && same_line(i - 2, i - 1) && shares_a_character(labels[i - 2], options[j - 1].chars)) {
                std::vector<std::string> joined = labels[i - 2];
                joined.insert(joined.end(), labels[i - 1].begin(), labels[i - 1].end());
                const double together = label_similarity(joined, options[j - 1].chars);
                if (together > label_similarity(labels[i - 2], options[j - 1].chars))
                    consider(score[i - 2][j - 1] + together + kMatchBias + kJoinPenalty, 'j');
            }
        }
    }
    std::vector<int> out(n, -1);
    for (std::size_t i = n, j = m; i > 0 || j > 0;) {
        switch (move[i][j]) {
            case 'm': out[--i] = static_cast<int>(--j); break;
            case 'j': i -= 2; out[i] = static_cast<int>(--j); break;
            case 'b': --i; break;
            default: --j; break;
        }
    }
    return out;
}

cv::Mat open_lines(const cv::Mat& bin, int width, int height) {
    cv::Mat out;
    cv::morphologyEx(bin, out, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {std::max(1, width), std::max(1, height)}));
    return out;
}

// Share of a band's columns (or rows) that hold line pixels.
double coverage(const cv::Mat& lines, const cv::Rect& band, bool along_x) {
    cv::Mat sums;
    cv::reduce(lines(band), sums, along_x ? 0 : 1, cv::REDUCE_MAX);
    return static_cast<double>(cv::countNonZero(sums)) / static_cast<double>(sums.total());
}

// Printed check boxes: small squares whose four sides are straight lines, found as two
// horizontal sides of the same length one side-length apart with vertical sides between
// them (a tick drawn across a side leaves the sides as they are).
std::vector<cv::Rect> boxes_by_sides(const cv::Mat& horizontal, const cv::Mat& vertical, double px_per_mm) {
    const double min_side = 1.8 * px_per_mm, max_side = 4.8 * px_per_mm;
    cv::Mat labels, stats, centroids;
    int n = cv::connectedComponentsWithStats(horizontal, labels, stats, centroids, 8, CV_32S);
    std::vector<cv::Rect> sides;
    for (int i = 1; i < n; ++i) {
        cv::Rect r(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP), stats.at<int>(i, cv::CC_STAT_WIDTH),
                   stats.at<int>(i, cv::CC_STAT_HEIGHT));
        if (r.width >= min_side && r.width <= max_side && r.height <= 0.8 * px_per_mm) sides.push_back(r);
    }
    std::sort(sides.begin(), sides.end(), [](const cv::Rect& a, const cv::Rect& b) { return a.y < b.y; });
    std::vector<cv::Rect> out;
    for (std::size_t i = 0; i < sides.size(); ++i) {
        const cv::Rect& top = sides[i];
        for (std::size_t j = i + 1; j < sides.size(); ++j) {
            const cv::Rect& bottom = sides[j];
            const int height = bottom.br().y - top.y;
            if (height > 1.3 * top.width) break;
            if (height < 0.75 * top.width || std::abs(bottom.x - top.x) > 0.15 * top.width ||
                std::abs(bottom.width - top.width) > 0.2 * top.width)
                continue;
            cv::Rect r = top | bottom;
            const int t = std::max(2, static_cast<int>(0.18 * std::min(r.width, r.height)));
            if (coverage(vertical(r), {0, 0, t, r.height}, false) < 0.8 || coverage(vertical(r), {r.width - t, 0, t, r.height}, false) < 0.8)
                continue;
            // Whatever is inside stays: straight strokes inside may be a glyph such as 日
            // or 田, but as often a bold tick (its flat arm, its steep one, straight on a
            // 1-bit scan). The labels tell glyphs and boxes apart when aligned with the
            // options, and a box matched on a label that says nothing of its option is
            // not trusted when ticked.
            // One box per square (a thick side may give two tops).
            if (std::any_of(out.begin(), out.end(), [&](const cv::Rect& o) { return (o & r).area() > 0.3 * r.area(); })) continue;
            out.push_back(r);
            break;
        }
    }
    return out;
}

// The median of the squares' shorter sides: the boxes of one sheet are printed alike.
double typical_side(const std::vector<cv::Rect>& squares) {
    std::vector<int> sides;
    for (const auto& r : squares) sides.push_back(std::min(r.width, r.height));
    std::nth_element(sides.begin(), sides.begin() + static_cast<long>(sides.size() / 2), sides.end());
    return sides[sides.size() / 2];
}

// Boxes found by their horizontal sides, and by their vertical ones (the same search on
// the transposed page): a side that touches the label's first stroke is too long to be a
// side, but the two other sides are not.
std::vector<cv::Rect> find_boxes(const cv::Mat& horizontal, const cv::Mat& vertical, double px_per_mm) {
    std::vector<cv::Rect> out = boxes_by_sides(horizontal, vertical, px_per_mm);
    for (const cv::Rect& t : boxes_by_sides(vertical.t(), horizontal.t(), px_per_mm)) {
        cv::Rect r(t.y, t.x, t.height, t.width);
        if (std::none_of(out.begin(), out.end(), [&](const cv::Rect& o) { return (o & r).area() > 0.3 * r.area(); })) out.push_back(r);
    }
    // The boxes of one sheet are printed alike: a much smaller square is a glyph (口, 国);
    // a larger one, or one clearly not square, a loop of handwriting (the 0 of an ID number).
    if (out.size() >= 5) {
        const double typical = typical_side(out);
        std::erase_if(out, [&](const cv::Rect& r) {
            const int shorter = std::min(r.width, r.height), longer = std::max(r.width, r.height);
            return shorter < 0.8 * typical || longer > 1.3 * typical || longer > 1.3 * shorter;
        });
    }
    return out;
}

// Boxes filled over, sides and all (a tick taken back): solid squares about as large as
// the printed boxes, or a little larger, where no box was found. Their sides are gone, so
// the search by sides misses them, and the option would look as if printed without a box.
std::vector<cv::Rect> filled_over_boxes(const cv::Mat& horizontal, const cv::Mat& vertical, const std::vector<cv::Rect>& boxes) {
    std::vector<cv::Rect> out;
    if (boxes.size() < 5) return out;
    const double typical = typical_side(boxes);
    cv::Mat solid = horizontal & vertical;  // what is solid both along and across
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(solid, labels, stats, centroids, 8, CV_32S);
    for (int i = 1; i < n; ++i) {
        cv::Rect r(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP), stats.at<int>(i, cv::CC_STAT_WIDTH),
                   stats.at<int>(i, cv::CC_STAT_HEIGHT));
        const double side = std::min(r.width, r.height);
        if (side < 0.9 * typical || std::max(r.width, r.height) > 1.45 * typical || std::max(r.width, r.height) > 1.3 * side) continue;
        if (stats.at<int>(i, cv::CC_STAT_AREA) < 0.85 * r.area()) continue;
        if (std::any_of(boxes.begin(), boxes.end(), [&](const cv::Rect& b) { return (b & r).area() > 0; })) continue;
        out.push_back(r);
    }
    return out;
}

// Whether ink covers the paper just outside a box's sides (a box scribbled over to take a
// tick back), rather than only its inside (a box filled in as the mark).
bool covers_around(const cv::Mat& bin, const cv::Rect& box) {
    const int gap = 1, width = std::max(2, static_cast<int>(std::lround(0.12 * std::min(box.width, box.height))));
    const cv::Rect page(0, 0, bin.cols, bin.rows);
    auto grown = [&](int by) { return cv::Rect(box.x - by, box.y - by, box.width + 2 * by, box.height + 2 * by) & page; };
    const cv::Rect outer = grown(gap + width), inner = grown(gap);
    const int ring = outer.area() - inner.area();
    if (ring <= 0) return true;
    const int inked = cv::countNonZero(bin(outer)) - cv::countNonZero(bin(inner));
    return inked >= 0.4 * ring;
}

// How many rows or columns, from any side of a box, its line is thick (the widest side).
int border_thickness(const cv::Mat& box_lines) {
    int thickest = 0;
    for (int side = 0; side < 4; ++side) {
        int t = 0;
        while (t < std::min(box_lines.rows, box_lines.cols) / 3) {
            cv::Mat line = side == 0 ? box_lines.row(t) : side == 1 ? box_lines.row(box_lines.rows - 1 - t)
                                     : side == 2 ? box_lines.col(t) : box_lines.col(box_lines.cols - 1 - t);
            if (cv::countNonZero(line) < 0.5 * static_cast<double>(line.total())) break;
            ++t;
        }
        thickest = std::max(thickest, t);
    }
    return thickest;
}

// Reading order: lines by height, then left to right.
void sort_reading_order(std::vector<CheckBox>& boxes) {
    std::sort(boxes.begin(), boxes.end(), [](const CheckBox& a, const CheckBox& b) { return a.rect.y < b.rect.y; });
    std::size_t start = 0;
    for (std::size_t i = 1; i <= boxes.size(); ++i) {
        bool new_line = i == boxes.size() ||
                        boxes[i].rect.y + boxes[i].rect.height / 2 - (boxes[start].rect.y + boxes[start].rect.height / 2) >
                            boxes[start].rect.height * 0.6;
        if (!new_line) continue;
        std::sort(boxes.begin() + static_cast<long>(start), boxes.begin() + static_cast<long>(i),
                  [](const CheckBox& a, const CheckBox& b) { return a.rect.x < b.rect.x; });
        start = i;
    }
}

struct Segment {
    cv::Rect rect;
};

// Horizontal rules and underlines: long thin horizontal lines, in reading order.
std::vector<cv::Rect> horizontal_lines(const cv::Mat& bin, int min_length, int max_thickness) {
    cv::Mat lines = open_lines(bin, min_length, 1);
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(lines, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    std::vector<cv::Rect> out;
    for (const auto& c : contours) {
        cv::Rect r = cv::boundingRect(c);
        if (r.height <= max_thickness || r.width > 20 * r.height) out.push_back(r);
    }
    std::sort(out.begin(), out.end(), [](const cv::Rect& a, const cv::Rect& b) { return a.y < b.y; });
    return out;
}

// The table's horizontal rules: rows where straight pieces of line (a broken or faint
// rule is still a row of them) cover at least `min_length`; each as its extent.
std::vector<cv::Rect> table_rules(const cv::Mat& bin, double px_per_mm, double min_length) {
    cv::Mat pieces = open_lines(bin, static_cast<int>(8 * px_per_mm), 1);
    cv::Mat row_sums;
    cv::reduce(pieces / 255, row_sums, 1, cv::REDUCE_SUM, CV_32S);
    std::vector<cv::Rect> rules;
    for (int y = 0; y < row_sums.rows; ++y) {
        if (row_sums.at<int>(y, 0) < min_length) continue;
        std::vector<cv::Point> on;
        cv::findNonZero(pieces.row(y), on);
        int x0 = on.front().x, x1 = on.back().x;
        if (!rules.empty() && y - (rules.back().y + rules.back().height) <= 2) {
            rules.back() |= cv::Rect(x0, y, x1 - x0 + 1, 1);
        } else {
            rules.push_back(cv::Rect(x0, y, x1 - x0 + 1, 1));
        }
    }
    int widest = 0;
    for (const auto& r : rules) widest = std::max(widest, r.width);
    std::erase_if(rules, [&](const cv::Rect& r) { return r.width < 0.95 * widest; });
    return rules;
}

std::vector<cv::Rect> reading_order(std::vector<cv::Rect> rects, int line_tolerance) {
    std::sort(rects.begin(), rects.end(), [](const cv::Rect& a, const cv::Rect& b) { return a.y < b.y; });
    std::size_t start = 0;
    for (std::size_t i = 1; i <= rects.size(); ++i) {
        if (i < rects.size() && rects[i].y - rects[start].y <= line_tolerance) continue;
        std::sort(rects.begin() + static_cast<long>(start), rects.begin() + static_cast<long>(i),
                  [](const cv::Rect& a, const cv::Rect& b) { return a.x < b.x; });
        start = i;
    }
    return rects;
}

}  // namespace

StageInfo SheetBoxesStage::info() const {
    return {"sheet_boxes",
            "1.0.0",
            "finds the check boxes of a one-person sheet, their state and their printed labels; places the other fields",
            {kHasStraightened},
            {kHasCells, kHasRecords},
            {
                {"ticked_ink", ParamType::number, "0.12", 0.005, 0.5, "ink share inside a box from which it is ticked"},
                {"filled_ink", ParamType::number, "0.9", 0.5, 1, "ink share inside a box from which it is filled over (a tick taken back)"},
                {"ok_confidence", ParamType::number, "0.9", 0, 1, "confidence from which a choice needs no review"},
                {"text_height_px", ParamType::integer, "36", 16, 120, "height printed labels are scaled to before OCR"},
                fast_chinese_model_param(),
            }};
}

void SheetBoxesStage::configure(const ParamValues& params, const StageEnvironment& env) {
    ticked_ink_ = params.get_double("ticked_ink");
    filled_ink_ = params.get_double("filled_ink");
    ok_confidence_ = params.get_double("ok_confidence");
    text_height_ = static_cast<int>(params.get_int("text_height_px"));
    ocr_ = make_cell_ocr(params, env);
}

void SheetBoxesStage::process(PageContext& ctx) {
    const cv::Mat& gray = ctx.page.image;
    const FormTemplate& form = ctx.form;
    // The scan's resolution (from the file, or estimated by the preparation stages): the
    // page may lie anywhere on a larger scan.
    const double px_per_mm = ctx.page.dpi > 0 ? ctx.page.dpi / 25.4 : gray.cols / form.page_width_mm;
    // Ink against its surroundings: scans darker in places, or grey all over, read alike.
    cv::Mat bin;
    const int block = static_cast<int>(8 * px_per_mm) | 1;
    cv::adaptiveThreshold(gray, bin, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV, block, 25);

    Record record = make_empty_record(form, ctx.page, 0);
    auto read_text = [&](const cv::Rect& area, double scale = 1.0) -> OcrResult {
        cv::Rect r = area & cv::Rect(0, 0, gray.cols, gray.rows);
        if (r.area() <= 0) return {};
        cv::Mat ink = cell_ink(gray, r);
        if (ink_share(ink) < 0.002) return {};
        return ocr_->read(grey_for_ocr(gray, r, ink, static_cast<int>(text_height_ * scale), 0.8), true, "", 1);
    };

    // 1. Check boxes, their state and their labels.
    // Straight lines: box sides, rules, underlines, and boxes filled in.
    // Longer than a steep tick stroke is tall, shorter than the smallest box side (2.4 mm).
    const int k = static_cast<int>(std::lround(1.8 * px_per_mm));
    cv::Mat horizontal = open_lines(bin, k, 1), vertical = open_lines(bin, 1, k);
    cv::Mat lines = horizontal | vertical;
    std::vector<CheckBox> boxes;
    const std::vector<cv::Rect> printed_boxes = find_boxes(horizontal, vertical, px_per_mm);
    for (const cv::Rect& r : filled_over_boxes(horizontal, vertical, printed_boxes)) {
        CheckBox b;
        b.rect = r;
        b.ink = 1.0;
        b.state = BoxState::filled;
        b.confidence = 0.9;
        boxes.push_back(b);
    }
    for (const cv::Rect& r : printed_boxes) {
        CheckBox b;
        b.rect = r;
        // Inside the box: away from its sides by their measured thickness (with their blur).
        const int inset = std::max(static_cast<int>(std::lround(0.15 * std::min(r.width, r.height))), border_thickness(lines(r)) + 1);
        cv::Rect inner(r.x + inset, r.y + inset, r.width - 2 * inset, r.height - 2 * inset);
        if (inner.area() <= 0) continue;
        const double solid = static_cast<double>(cv::countNonZero(lines(inner))) / inner.area();
        const double ink = static_cast<double>(cv::countNonZero(bin(inner))) / inner.area();
        // Filled over, sides and all: taken back; filled inside its sides (a filled square
        // as the mark), filled in part, or written in: ticked.
        b.ink = solid >= filled_ink_ ? solid : ink;
        if (b.ink >= filled_ink_ && !covers_around(bin, r)) {
            b.state = BoxState::ticked;
            b.confidence = 0.9;
        } else if (b.ink >= filled_ink_) {
            b.state = BoxState::filled;
            b.confidence = 0.75 + 0.249 * clamp01((b.ink - filled_ink_) / (1 - filled_ink_ + 1e-6) * 4);
        } else if (b.ink >= ticked_ink_) {
            b.state = BoxState::ticked;
            b.confidence = 0.75 + 0.249 * clamp01(std::min((b.ink - ticked_ink_) / ticked_ink_, (filled_ink_ - b.ink) / 0.1));
        } else {
            b.confidence = 0.75 + 0.249 * clamp01(1 - 2 * b.ink / ticked_ink_);
        }
        boxes.push_back(b);
    }
    // A glyph that looks like a box (国, 回, 雇) has strokes inside like a ticked box;
    // Tesseract reads it as that character, a ticked box as no character it knows well.
    // Only logged, for diagnosis: an OCR call per ticked box is not paid otherwise.
    Poco::Logger& log = Poco::Logger::get("formscan.stage.sheet_boxes");
    for (auto& b : boxes) {
        if (b.state != BoxState::ticked || !log.debug()) continue;
        const cv::Rect& r = b.rect;
        cv::Rect around = cv::Rect(r.x - r.width / 3, r.y - r.height / 4, r.width * 5 / 3, r.height * 3 / 2) & cv::Rect(0, 0, gray.cols, gray.rows);
        cv::Mat ink = cell_ink(gray, around);
        auto symbols = ocr_->symbols(grey_for_ocr(gray, around, ink, text_height_, 0.8), true);
        if (symbols.size() == 1) b.glyph = {symbols.front().text, symbols.front().confidence};
    }
    sort_reading_order(boxes);
    // Every option's label has two characters or more: a square right after a box is the
    // first glyph of its label (□国家公务员, □缴费终止), not a box; but an empty square
    // right after one with strokes inside is a box after a glyph (未参保原因:□).
    for (std::size_t i = 1; i < boxes.size();) {
        const cv::Rect &a = boxes[i - 1].rect, &b = boxes[i].rect;
        const bool same_line = std::abs((b.y + b.height / 2) - (a.y + a.height / 2)) < a.height * 0.6;
        if (!same_line || b.x - a.br().x >= 2.0 * a.width) {
            ++i;
            continue;
        }
        const bool box_after_glyph = boxes[i - 1].state != BoxState::empty && boxes[i].state == BoxState::empty;
        boxes.erase(boxes.begin() + static_cast<long>(box_after_glyph ? i - 1 : i));
    }
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        const cv::Rect& r = boxes[i].rect;
        int end = r.x + static_cast<int>(40 * px_per_mm);
        if (i + 1 < boxes.size() && std::abs(boxes[i + 1].rect.y - r.y) < r.height * 0.6) end = std::min(end, boxes[i + 1].rect.x);
        const int pad = static_cast<int>(0.2 * r.height);
        const cv::Rect area(r.br().x + pad, r.y - 3 * pad, end - r.br().x - 2 * pad, r.height + 6 * pad);
        boxes[i].label = read_text(area).text;
        // The fast model now and then reads a clear label as nothing at one size and
        // rightly at another (学龄前 at 36 pixels high, not at 32 or 40).
        if (cjk_only(boxes[i].label).empty()) boxes[i].label = read_text(area, 1.25).text;
    }

    // 2. Boxes to options, and the choice fields' values.
    std::vector<Option> options;
    for (const auto& spec : form.fields) {
        if (spec.type == FieldType::check) options.push_back({&spec, "", cjk_only(spec.label)});
        if (spec.type == FieldType::single_choice || spec.type == FieldType::multi_choice)
            for (const auto& o : spec.options) options.push_back({&spec, o, cjk_only(o)});
    }
    std::vector<int> match = align(boxes, options);
    std::map<std::string, std::vector<std::pair<const Option*, const CheckBox*>>> by_field;
    std::vector<bool> option_found(options.size(), false);
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        if (match[i] < 0) continue;
        option_found[static_cast<std::size_t>(match[i])] = true;
        by_field[options[static_cast<std::size_t>(match[i])].field->key].push_back({&options[static_cast<std::size_t>(match[i])], &boxes[i]});
        ctx.page.cells.push_back({0, options[static_cast<std::size_t>(match[i])].field->key, boxes[i].rect});
    }
    int missing = 0;
    for (std::size_t j = 0; j < options.size(); ++j) missing += !option_found[j];
    if (log.debug()) {
        for (std::size_t i = 0; i < boxes.size(); ++i) {
            const auto& b = boxes[i];
            log.debug("%s#%d box %d at %d,%d %dx%d ink %.3f glyph %s %.2f %s label \"%s\" -> %s", ctx.page.source, ctx.page.index,
                      static_cast<int>(i), b.rect.x, b.rect.y, b.rect.width,
                      b.rect.height, b.ink, b.glyph.first.empty() ? std::string("-") : b.glyph.first, b.glyph.second, std::string(b.state == BoxState::ticked ? "ticked" : b.state == BoxState::filled ? "filled" : "empty"),
                      b.label, match[i] < 0 ? std::string("-") : options[static_cast<std::size_t>(match[i])].field->key + "/" + options[static_cast<std::size_t>(match[i])].value);
        }
    }
    // A square smaller than the sheet's boxes, whose label lacks the option's first
    // character, is a glyph of the label (the 口 of 户口待注销): the option's real box, before
    // it, was not found, and may be the one ticked.
    std::vector<int> sides;
    for (const auto& b : boxes) sides.push_back(std::max(b.rect.width, b.rect.height));
    std::nth_element(sides.begin(), sides.begin() + static_cast<std::ptrdiff_t>(sides.size() / 2), sides.end());
    const double usual_side = sides.empty() ? 0 : sides[sides.size() / 2];
    auto glyph_for_box = [&](const Option& option, const CheckBox& box) {
        const auto label = cjk_only(box.label);
        return !option.chars.empty() && std::max(box.rect.width, box.rect.height) < 0.9 * usual_side &&
               (label.empty() || label.front() != option.chars.front());
    };
    for (const auto& spec : form.fields) {
        if (spec.type != FieldType::check && spec.type != FieldType::single_choice && spec.type != FieldType::multi_choice) continue;
        Field& field = record.at(spec.key);
        const auto& found = by_field[spec.key];
        std::vector<std::string> chosen;
        double confidence = 1.0;
        cv::Rect around;
        for (const auto& [option, box] : found) {
            confidence = std::min(confidence, box->confidence);
            if (box->state != BoxState::ticked && glyph_for_box(*option, *box)) confidence = std::min(confidence, 0.7);
            // A ticked square whose label says nothing of its option: it took the option's
            // place in the order only, and may be a glyph or a stroke taken for a box.
            if (box->state == BoxState::ticked && label_similarity(cjk_only(box->label), option->chars) == 0)
                confidence = std::min(confidence, 0.7);
            around = around.area() ? (around | box->rect) : box->rect;
            if (box->state == BoxState::ticked) chosen.push_back(option->value);
        }
        const std::size_t expected = spec.type == FieldType::check ? 1 : spec.options.size();
        // An option whose box was not found might be the one ticked.
        if (found.size() < expected) confidence = std::min(confidence, 0.7);
        field.box = around;
        field.reader = "sheet_boxes";
        if (spec.type == FieldType::check) {
            field.value = !chosen.empty();
        } else if (spec.type == FieldType::multi_choice) {
            field.value = chosen;
        } else {
            field.value = chosen.empty() ? std::string() : chosen.front();
            if (chosen.size() > 1) {
                confidence = std::min(confidence, 0.3);
                field.errors.push_back({"choice.single", spec.label + ": " + std::to_string(chosen.size()) + " boxes ticked, one expected"});
                for (const auto& c : chosen) field.alternatives.push_back({c, 1.0 / static_cast<double>(chosen.size())});
            }
        }
        field.confidence = confidence;
        field.status = confidence >= ok_confidence_ ? FieldStatus::ok : FieldStatus::review;
    }
    if (boxes.size() < options.size() / 2)
        ctx.page.add_issue("sheet_boxes", "sheet.boxes", "only " + std::to_string(boxes.size()) + " check boxes found; " +
                                                             std::to_string(options.size()) + " options on the form");
    else if (missing > 0)
        ctx.page.add_issue("sheet_boxes", "sheet.options_missing", std::to_string(missing) + " options without a box found");

    // 3. The table's value cells, known by the label in the cell before them.
    std::vector<cv::Rect> rules = table_rules(bin, px_per_mm, 0.6 * form.page_width_mm * px_per_mm);
    int widest = 0;
    for (const auto& r : rules) widest = std::max(widest, r.width);
    if (rules.size() < 4) {
        ctx.page.add_issue("sheet_boxes", "sheet.table", "the sheet's table was not found (" + std::to_string(rules.size()) + " rules)");
    } else {
        cv::Mat verticals = open_lines(bin, 1, static_cast<int>(4 * px_per_mm));
        for (std::size_t row = 0; row + 1 < rules.size() && row < 3; ++row) {
            const int top = rules[row].y + rules[row].height, bottom = rules[row + 1].y;
            if (bottom - top < 3 * px_per_mm) continue;
            // A cell's rule runs from one table rule to the next: a stroke of large
            // handwriting (the side of a 0, a 1) is straight over part of the row only.
            cv::Rect band(rules[0].x, top + 1, widest, bottom - top - 2);
            band &= cv::Rect(0, 0, gray.cols, gray.rows);
            cv::Mat column_sums;
            cv::reduce(verticals(band) / 255, column_sums, 0, cv::REDUCE_SUM, CV_32S);
            std::vector<int> xs;
            for (int x = 0; x < column_sums.cols; ++x) {
                if (column_sums.at<int>(0, x) < 0.75 * band.height) continue;
                if (xs.empty() || x - xs.back() > px_per_mm) xs.push_back(x);
                else xs.back() = x;
            }
            for (std::size_t c = 0; c + 2 < xs.size(); ++c) {
                cv::Rect label_cell(band.x + xs[c] + 3, top + 2, xs[c + 1] - xs[c] - 6, bottom - top - 4);
                auto label = cjk_only(read_text(label_cell).text);
                if (label.empty()) continue;
                for (const auto& spec : form.fields) {
                    if (spec.type == FieldType::single_choice || spec.type == FieldType::check || spec.type == FieldType::multi_choice)
                        continue;
                    auto want = cjk_only(spec.label);
                    if (want.empty() || label_similarity(label, want) < 0.75 || label.size() > want.size() + 2) continue;
                    Field& f = record.at(spec.key);
                    if (f.box.area() > 0) continue;
                    f.box = cv::Rect(band.x + xs[c + 1] + 3, top + 2, xs[c + 2] - xs[c + 1] - 6, bottom - top - 4);
                    ctx.page.cells.push_back({0, spec.key, f.box});
                    break;
                }
            }
        }
    }

    // 4. The blanks written on, in the form's order: the header's four on the line just
    // above the table, then those of the sheet's large cell, then those below it.
    const int write_h = static_cast<int>(5.5 * px_per_mm), below = static_cast<int>(0.8 * px_per_mm);
    auto writing_box = [&](const cv::Rect& line) {
        return cv::Rect(line.x, line.y - write_h, line.width, write_h + below) & cv::Rect(0, 0, gray.cols, gray.rows);
    };
    std::vector<cv::Rect> candidates;
    for (const auto& r : horizontal_lines(bin, static_cast<int>(5 * px_per_mm), static_cast<int>(0.6 * px_per_mm)))
        if (r.width < 0.95 * widest && r.height <= 0.6 * px_per_mm) candidates.push_back(r);
    // A stroke of someone's writing on a blank is not a blank itself.
    std::erase_if(candidates, [&](const cv::Rect& r) {
        return std::any_of(candidates.begin(), candidates.end(), [&](const cv::Rect& other) {
            return other.y > r.y + r.height && other.width > r.width && (writing_box(other) & r).area() == r.area();
        });
    });
    candidates = reading_order(candidates, static_cast<int>(2 * px_per_mm));
    // The blank sequence of the 登记表 by region; several blanks of one field are read as one text.
    static const std::vector<std::string> kHeaderBlanks = {"city", "county", "township", "village"};
    static const std::vector<std::string> kSheetBlanks = {
        "employer_name", "hukou_address", "hukou_address", "hukou_address", "residence_address", "residence_address",
        "residence_address", "residence_address", "residence_address", "residence_address", "phone", "pension_other",
        "not_insured_detail", "not_insured_detail", "not_insured_detail", "applicant_signed", "sign_date", "sign_date", "sign_date"};
    static const std::vector<std::string> kLowerBlanks = {"handler_signed", "checker_signed", "remarks"};
    std::vector<std::pair<std::string, cv::Rect>> blanks;
    auto assign = [&](const std::vector<std::string>& keys, std::vector<cv::Rect> found, const char* region, bool longest = false) {
        if (!longest && found.size() > keys.size()) {
            // A short stroke alone on its line (of a tick, of a box, of writing) is no blank:
            // the blanks that short share their line with others (an address in parts, the
            // date after the signature); those alone on a line are long.
            auto alone_and_short = [&](const cv::Rect& r) {
                if (r.width >= 10 * px_per_mm) return false;
                const int middle = r.y + r.height / 2;
                return std::none_of(found.begin(), found.end(), [&](const cv::Rect& o) {
                    return o != r && std::abs(o.y + o.height / 2 - middle) < 1.5 * px_per_mm;
                });
            };
            std::vector<cv::Rect> kept;
            std::copy_if(found.begin(), found.end(), std::back_inserter(kept), [&](const cv::Rect& r) { return !alone_and_short(r); });
            if (kept.size() >= keys.size()) found = std::move(kept);
        }
        if (!longest && found.size() > keys.size()) {
            // Strokes (of a tick, of a glyph) that pass for lines: dropped when they are just
            // the extra ones and the thinnest, thinner than the printed blanks (the median
            // thickness), or clearly shorter than every blank kept, so that no real blank is
            // taken for one.
            std::vector<int> heights;
            for (const auto& r : found) heights.push_back(r.height);
            std::sort(heights.begin(), heights.end());
            const int thinnest = heights.front(), typical = heights[heights.size() / 2];
            auto thin = [&](const cv::Rect& r) { return r.height == thinnest && thinnest < typical; };
            if (static_cast<std::size_t>(std::count_if(found.begin(), found.end(), thin)) == found.size() - keys.size())
                std::erase_if(found, thin);
        }
        if (!longest && found.size() > keys.size()) {
            std::vector<int> widths;
            for (const auto& r : found) widths.push_back(r.width);
            std::sort(widths.begin(), widths.end(), std::greater<>());
            const int shortest_kept = widths[keys.size() - 1];
            if (widths[keys.size()] < 0.75 * shortest_kept)
                std::erase_if(found, [&](const cv::Rect& r) { return r.width < shortest_kept; });
        }
        if (longest && found.size() > keys.size()) {
            // Strokes of writing that pass for lines are shorter than these blanks.
            std::vector<cv::Rect> by_length = found;
            std::sort(by_length.begin(), by_length.end(), [](const cv::Rect& a, const cv::Rect& b) { return a.width > b.width; });
            std::erase_if(found, [&](const cv::Rect& r) { return r.width < by_length[keys.size() - 1].width; });
        }
        if (found.size() != keys.size()) {
            if (log.debug())
                for (const auto& r : found) log.debug("%s: blank candidate at %d,%d %dx%d", std::string(region), r.x, r.y, r.width, r.height);
            // Which blank is which is not known: their fields stay for a person.
            ctx.page.add_issue("sheet_boxes", "sheet.blanks", std::string(region) + ": " + std::to_string(found.size()) +
                                                                  " blanks found, " + std::to_string(keys.size()) + " expected");
            return;
        }
        for (std::size_t i = 0; i < keys.size(); ++i) blanks.push_back({keys[i], found[i]});
    };
    if (rules.size() >= 5) {
        std::vector<cv::Rect> header, sheet, lower;
        int header_line = -1;
        for (const auto& r : candidates)
            if (r.y < rules[0].y) header_line = std::max(header_line, r.y);
        for (const auto& r : candidates) {
            if (r.y < rules[0].y && r.y > header_line - 2 * px_per_mm) header.push_back(r);
            else if (r.y > rules[3].y && r.y < rules[4].y) sheet.push_back(r);
            else if (r.y > rules[4].y) lower.push_back(r);
        }
        assign(kHeaderBlanks, header, "page header", true);
        assign(kSheetBlanks, sheet, "large cell");
        assign(kLowerBlanks, lower, "below the large cell", true);
    }
    if (log.debug())
        for (const auto& [key, b] : blanks) log.debug("blank %s at %d,%d %dx%d", key, b.x, b.y, b.width, b.height);
    std::map<std::string, std::vector<cv::Rect>> parts;
    for (const auto& [key, line] : blanks)
        if (record.find(key)) parts[key].push_back(writing_box(line));
    for (auto& [key, rects] : parts) {
        Field& f = record.at(key);
        if (f.box.area() > 0) continue;
        const FieldSpec& spec = form.field(key);
        std::vector<cv::Rect> written;
        for (const auto& r : rects)
            if (ink_share(cell_ink(gray, r, 4, Surround::blank_line)) > 0.004) written.push_back(r);
        if (rects.size() == 1 || spec.type == FieldType::date || written.size() <= 1) {
            // One place to read: the readers after this stage read it (or find it empty).
            f.box = written.size() == 1 && spec.type != FieldType::date ? written.front() : rects.front();
            if (spec.type == FieldType::date) for (const auto& r : rects) f.box |= r;
            // A date in three blanks (year 年 month 月 day 日): each part is also a cell of its
            // own, "KEY#0".."KEY#2", so that the printed 年 and 月 between them are not read as digits.
            if (spec.type == FieldType::date && rects.size() == 3)
                for (std::size_t i = 0; i < rects.size(); ++i) ctx.page.cells.push_back({0, key + "#" + std::to_string(i), rects[i]});
        } else {
            // An address in parts: each printed part read here, joined.
            std::string text;
            double confidence = 1;
            for (std::size_t i = 0; i < rects.size(); ++i) {
                const cv::Rect& r = rects[i];
                if (std::find(written.begin(), written.end(), r) == written.end()) continue;
                OcrResult part = read_text(r);
                std::string read = remove_spaces(part.text);
                double part_confidence = part.confidence;
                // The first parts of an address are the province, city and county of
                // the district (and its townships): a reading one character off is theirs.
                static const std::vector<std::vector<std::string>> kKnown = {{"浙江省"}, {"绍兴市"}, {"上虞区", "上虞市"}};
                const std::vector<std::string>* known = i < kKnown.size() ? &kKnown[i] : i == 3 ? &form.vocabulary("townships") : nullptr;
                if (known && !known->empty()) {
                    if (auto m = nearest(read, *known); m && m->distance <= 1 + utf8_chars(m->value).size() / 3) {
                        if (m->distance > 0) part_confidence *= 0.8;
                        read = m->value;
                    }
                }
                text += read;
                confidence = std::min(confidence, part_confidence);
                f.box = f.box.area() ? (f.box | r) : r;
            }
            f.value = text;
            f.confidence = confidence * 0.9;
            f.status = f.confidence >= ok_confidence_ ? FieldStatus::ok : FieldStatus::review;
            f.reader = "sheet_boxes";
        }
        ctx.page.cells.push_back({0, key, f.box});
    }

    // 已单位就业 may be printed without a box: a named employer and no box ticked say it.
    if (Field* employment = record.find("employment_status"); employment && employment->text().empty()) {
        Field* employer = record.find("employer_name");
        const bool unboxed = std::none_of(options.begin(), options.end(), [&](const Option& o) {
            return o.field->key == "employment_status" && o.value == "已单位就业" && option_found[static_cast<std::size_t>(&o - options.data())];
        });
        if (unboxed && employer && employer->box.area() > 0 && ink_share(cell_ink(gray, employer->box)) > 0.004) {
            employment->value = std::string("已单位就业");
            employment->confidence = std::min(employment->confidence, 0.95);
            employment->status = employment->confidence >= ok_confidence_ ? FieldStatus::ok : FieldStatus::review;
        }
    }
    ctx.records.push_back(std::move(record));
}

}  // namespace formscan
