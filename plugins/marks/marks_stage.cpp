// marks: decides, for every cell, whether anything is written; reads ticks (√) in tick
// columns and whether signatures are present. Cells with writing that is not a tick are
// left for the text and digit readers. See README.md in this folder.
#include "formscan/cell_image.hpp"
#include "formscan/stage.hpp"

#include <Poco/ClassLibrary.h>
#include <Poco/Logger.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace formscan {

namespace {

double clamp01(double v) { return std::clamp(v, 0.0, 1.0); }

// The longest extent, across or down, of the ink's pieces, pieces closer than `join_px`
// taken as one (the flag of a printed 5 and its body, apart on a faint print).
int largest_extent(const cv::Mat& ink, int join_px) {
    cv::Mat joined;  // (a new image: dilating into `ink`'s own would change it for the tick's shape)
    if (join_px > 0) cv::dilate(ink, joined, cv::Mat::ones(join_px + 1, join_px + 1, CV_8UC1));
    else joined = ink;
    cv::Mat labels, stats, centroids;
    int n = cv::connectedComponentsWithStats(joined, labels, stats, centroids, 8, CV_32S);
    int best = 0;
    for (int i = 1; i < n; ++i)
        best = std::max({best, stats.at<int>(i, cv::CC_STAT_WIDTH) - join_px, stats.at<int>(i, cv::CC_STAT_HEIGHT) - join_px});
    return best;
}

// How much the ink looks like a tick: one stroke, about as wide as tall, thin, its
// lowest point left of centre and its top at the right end.
double tick_score(const cv::Mat& ink) {
    cv::Mat labels, stats, centroids;
    int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
    int total = cv::countNonZero(ink);
    if (n < 2 || total == 0) return 0;
    int largest = 1;
    for (int i = 2; i < n; ++i)
        if (stats.at<int>(i, cv::CC_STAT_AREA) > stats.at<int>(largest, cv::CC_STAT_AREA)) largest = i;
    double main_share = stats.at<int>(largest, cv::CC_STAT_AREA) / double(total);
    cv::Rect b(stats.at<int>(largest, cv::CC_STAT_LEFT), stats.at<int>(largest, cv::CC_STAT_TOP),
               stats.at<int>(largest, cv::CC_STAT_WIDTH), stats.at<int>(largest, cv::CC_STAT_HEIGHT));
    if (b.width < 3 || b.height < 3) return 0;
    cv::Mat stroke = (labels(b) == largest);
    double aspect = b.width / double(b.height);
    double fill = cv::countNonZero(stroke) / double(b.area());

    auto band_centre = [&](int y0, int y1) {
        cv::Mat band = stroke.rowRange(std::max(0, y0), std::min(stroke.rows, y1));
        cv::Moments m = cv::moments(band, true);
        return m.m00 > 0 ? m.m10 / m.m00 / b.width : 0.5;
    };
    double top = band_centre(0, b.height * 3 / 10);
    double bottom = band_centre(b.height * 7 / 10, b.height);
    double left_mid = band_centre(b.height * 3 / 10, b.height * 6 / 10);

    double score = 0;
    score += main_share > 0.85 ? 1 : 0;
    score += (aspect > 0.45 && aspect < 2.2) ? 1 : 0;
    score += fill < 0.32 ? 1 : 0;
    score += top > 0.62 ? 1 : 0;                    // the long arm ends top right
    score += (bottom > 0.12 && bottom < 0.6) ? 1 : 0;  // the vertex is low, left of centre
    score += left_mid < top ? 1 : 0;
    return score / 6.0;
}

}  // namespace

class MarksStage : public Stage {
public:
    StageInfo info() const override {
        return {"marks",
                "1.0.0",
                "tells empty cells from written ones, reads ticks and signature presence",
                {kHasCells, kHasRecords},
                {kHasMarks},
                {
                    {"empty_ink", ParamType::number, "0.006", 0, 0.2, "ink share below which a cell is empty"},
                    {"tick_threshold", ParamType::number, "0.8", 0, 1, "tick score from which writing is a tick"},
                    {"ok_confidence", ParamType::number, "0.9", 0, 1, "confidence from which a mark needs no review"},
                    {"glyph_mm", ParamType::number, "1.4", 0.5, 10,
                     "a stroke this long (mm) is writing however small in its cell (a small printed code in a tall row)"},
                    {"join_mm", ParamType::number, "0.3", 0, 2,
                     "pieces of ink closer than this (mm) count as one stroke in cells for characters (the flag and body of a "
                     "faint printed 5)"},
                }};
    }

    void configure(const ParamValues& params, const StageEnvironment&) override {
        empty_ink_ = params.get_double("empty_ink");
        tick_threshold_ = params.get_double("tick_threshold");
        ok_confidence_ = params.get_double("ok_confidence");
        glyph_mm_ = params.get_double("glyph_mm");
        join_mm_ = params.get_double("join_mm");
    }

    void process(PageContext& ctx) override {
        const double px_per_mm = pixels_per_mm(ctx);
        for (auto& record : ctx.records) {
            for (auto& field : record.fields) {
                const FieldSpec& spec = ctx.form.field(field.key);
                if (field.box.area() == 0 || !field.reader.empty()) continue;
                judge(ctx.page.image, spec, field, px_per_mm);
            }
        }
    }

private:
    void judge(const cv::Mat& page, const FieldSpec& spec, Field& field, double px_per_mm) const {
        cv::Mat ink = cell_ink(page, field.box, 4, surround_of(spec.placement));
        double share = ink_share(ink);
        const bool is_mark = spec.type == FieldType::signature || spec.type == FieldType::check;
        // (Characters only: specks near each other in an empty signature box are not one.)
        const int longest = largest_extent(ink, is_mark ? 0 : static_cast<int>(std::lround(join_mm_ * px_per_mm)));
        double extent = longest / double(std::max(1, std::min(ink.rows, ink.cols)));
        // Writing has a stroke that spans a good part of the cell, or one as long as a small
        // printed character; dust and noise do not.
        double written = std::max({clamp01((share - empty_ink_ * 0.5) / empty_ink_), clamp01((extent - 0.12) / 0.2),
                                   clamp01((longest / px_per_mm - (glyph_mm_ - 0.4)) / 0.8)});
        if (Poco::Logger& log = Poco::Logger::get("formscan.stage.marks"); log.debug())
            log.debug("%s at y %d: ink share %.4f, longest stroke %d px (%.2f mm, %.2f of the cell): written %.2f", field.key,
                      field.box.y, share, longest, longest / px_per_mm, extent, written);
        if (written < 0.5) {
            field.value = is_mark ? FieldValue(false) : FieldValue(std::string());
            // A page header left blank is rare on a filled form, and its box is found
            // from labels, not rules: a person confirms it.
            const bool header_text = spec.placement == Placement::header && !is_mark;
            set(field, header_text ? 0.5 : 0.75 + 0.249 * clamp01(1.0 - 2 * written));
            return;
        }
        if (is_mark) {
            field.value = true;
            set(field, 0.75 + 0.249 * clamp01(2 * written - 1));
            return;
        }
        if (spec.type == FieldType::tick_or_code || spec.type == FieldType::tick_or_text) {
            double score = tick_score(ink);
            if (score >= tick_threshold_) {
                field.value = std::string("√");
                set(field, 0.6 + 0.39 * clamp01((score - tick_threshold_) / std::max(1e-6, 1 - tick_threshold_)));
            }
        }
    }

    void set(Field& field, double confidence) const {
        field.confidence = confidence;
        field.status = confidence >= ok_confidence_ ? FieldStatus::ok : FieldStatus::review;
        field.reader = "marks";
    }

    double empty_ink_ = 0.006, tick_threshold_ = 0.8, ok_confidence_ = 0.9, glyph_mm_ = 1.4, join_mm_ = 0.3;
};

}  // namespace formscan

POCO_BEGIN_NAMED_MANIFEST(FormscanV2, formscan::Stage)
POCO_EXPORT_CLASS(formscan::MarksStage)
POCO_END_MANIFEST
