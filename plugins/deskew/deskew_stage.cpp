// deskew: removes dark scanner borders, undoes 90/180/270-degree turns and measures
// and corrects the page's skew. See README.md in this folder.
#include "line_tracks.hpp"

#include "formscan/image_convert.hpp"
#include "formscan/page_code.hpp"
#include "formscan/stage.hpp"

#include <Poco/ClassLibrary.h>
#include <leptonica/allheaders.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace formscan {

namespace {

// Scanner lids and feeders leave dark bands where there is no paper. They touch the
// image edge, are large and solid (a table's rules are large too, but sparse): paint
// them white.
void remove_dark_borders(cv::Mat& gray) {
    // Borders are large: half resolution finds them as well, in a quarter of the time.
    cv::Mat small, dark;
    cv::resize(gray, small, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
    cv::threshold(small, dark, 110, 255, cv::THRESH_BINARY_INV);
    cv::Mat labels, stats, centroids;
    int n = cv::connectedComponentsWithStats(dark, labels, stats, centroids, 8, CV_32S);
    const double min_area = 0.002 * small.total();
    cv::Mat border = cv::Mat::zeros(small.size(), CV_8UC1);
    for (int i = 1; i < n; ++i) {
        int x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
        int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
        int area = stats.at<int>(i, cv::CC_STAT_AREA);
        bool touches = x == 0 || y == 0 || x + w == small.cols || y + h == small.rows;
        // A band along one edge fills little of its bounding box when it runs round a
        // corner, so compare with the band's own thickness too.
        double thickness = area / double(std::max(w, h));
        bool solid = area > 0.5 * double(w) * h || thickness > 0.01 * std::min(small.cols, small.rows);
        if (touches && area > min_area && solid) border.setTo(255, labels == i);
    }
    if (cv::countNonZero(border) == 0) return;
    // Widen it a little: the paper's edge shades into the border and would read as a rule.
    int grow = std::max(2, std::max(small.cols, small.rows) / 400);
    cv::dilate(border, border, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(2 * grow + 1, 2 * grow + 1)));
    cv::resize(border, border, gray.size(), 0, 0, cv::INTER_NEAREST);
    gray.setTo(255, border);
}

cv::Mat ink_mask(const cv::Mat& gray) {
    cv::Mat ink;
    cv::threshold(gray, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
    return ink;
}

// Rotates by angle_deg counter-clockwise (OpenCV's convention) about the centre,
// growing the canvas so nothing is cut, and returns the 3x3 forward transform.
cv::Mat rotate_page(const cv::Mat& gray, double angle_deg, cv::Mat& out) {
    cv::Point2f centre(gray.cols / 2.0f, gray.rows / 2.0f);
    cv::Mat m = cv::getRotationMatrix2D(centre, angle_deg, 1.0);
    const double a = angle_deg * CV_PI / 180.0, c = std::abs(std::cos(a)), s = std::abs(std::sin(a));
    int w = static_cast<int>(std::lround(gray.cols * c + gray.rows * s));
    int h = static_cast<int>(std::lround(gray.cols * s + gray.rows * c));
    m.at<double>(0, 2) += (w - gray.cols) / 2.0;
    m.at<double>(1, 2) += (h - gray.rows) / 2.0;
    cv::warpAffine(gray, out, m, cv::Size(w, h), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(255));
    cv::Mat forward = cv::Mat::eye(3, 3, CV_64F);
    m.copyTo(forward.rowRange(0, 2));
    return forward;
}

}  // namespace

class DeskewStage : public Stage {
public:
    StageInfo info() const override {
        return {"deskew",
                "1.0.0",
                "removes dark scanner borders, undoes quarter turns, measures and corrects skew",
                {kHasImage},
                {kHasStraightened},
                {
                    {"sweep_range", ParamType::number, "15", 1, 45, "skew searched within +/- this many degrees"},
                    {"sweep_delta", ParamType::number, "1", 0.05, 2, "coarse sweep step, degrees"},
                    {"min_delta", ParamType::number, "0.05", 0.001, 0.5,
                     "precision of the coarse search, degrees (ruling lines then give the fine angle)"},
                    {"line_fit", ParamType::boolean, "true", 0, 1,
                     "refine the angle by fitting the ruling lines (else Leptonica's search alone, to 0.005 degrees)"},
                    {"perspective", ParamType::boolean, "true", 0, 1,
                     "correct perspective from the table's outer frame when its sides are not parallel"},
                    {"straighten", ParamType::boolean, "true", 0, 1,
                     "rotate the page; false only measures the skew (for benchmarks)"},
                    {"orientation", ParamType::boolean, "true", 0, 1, "detect and undo 90/180/270-degree turns"},
                    {"remove_borders", ParamType::boolean, "true", 0, 1, "paint dark scanner borders white"},
                    {"corner_marks", ParamType::boolean, "true", 0, 1,
                     "register pages of formscan print by their four corner marks (perspective, scale, true resolution)"},
                }};
    }

    void configure(const ParamValues& params, const StageEnvironment&) override {
        sweep_range_ = static_cast<float>(params.get_double("sweep_range"));
        sweep_delta_ = static_cast<float>(params.get_double("sweep_delta"));
        min_delta_ = static_cast<float>(params.get_double("min_delta"));
        orientation_ = params.get_bool("orientation");
        line_fit_ = params.get_bool("line_fit");
        perspective_ = params.get_bool("perspective");
        straighten_ = params.get_bool("straighten");
        remove_borders_ = params.get_bool("remove_borders");
        corner_marks_ = params.get_bool("corner_marks");
    }

    void process(PageContext& ctx) override {
        Page& page = ctx.page;
        cv::Mat gray = page.image;
        if (remove_borders_) remove_dark_borders(gray);
        cv::Mat transform = cv::Mat::eye(3, 3, CV_64F);

        int turn = 0;
        if (orientation_) {
            // A page whose long side disagrees with the form's is turned a quarter.
            bool form_landscape = ctx.form.page_width_mm > ctx.form.page_height_mm;
            bool scan_landscape = gray.cols > gray.rows;
            if (form_landscape != scan_landscape) turn = 90;
        }
        if (turn) transform = rotate_by(gray, turn) * transform;

        double skew = measure_skew(gray);
        page.skew_deg = skew;
        settle_dpi(page, ctx.form, gray.size(), skew);
        if (!straighten_) return;
        if (std::abs(skew) > 1e-4) transform = rotate_by(gray, -skew) * transform;
        if (perspective_) transform = correct_perspective(gray, page) * transform;

        if (orientation_ && upside_down(gray)) {
            transform = rotate_by(gray, 180) * transform;
            turn = (turn + 180) % 360;
        }
        if (corner_marks_) transform = register_by_corner_marks(gray, ctx.form, page) * transform;
        page.image = gray;
        page.orientation_deg = turn;
        page.to_scan = transform.inv();
    }

private:
    // The resolution the file states, unless it is missing or far from what the form's
    // printed size implies (many JPEGs say 72 dpi whatever the scanner did).
    static void settle_dpi(Page& page, const FormTemplate& form, cv::Size upright, double skew_deg) {
        // A skewed sheet's scan is wider than the sheet: W cos a + H sin a.
        double a = std::abs(skew_deg) * CV_PI / 180.0;
        bool landscape = upright.width > upright.height;
        double w_mm = landscape ? std::max(form.page_width_mm, form.page_height_mm) : std::min(form.page_width_mm, form.page_height_mm);
        double h_mm = landscape ? std::min(form.page_width_mm, form.page_height_mm) : std::max(form.page_width_mm, form.page_height_mm);
        double estimated = upright.width / ((w_mm * std::cos(a) + h_mm * std::sin(a)) / 25.4);
        if (page.dpi > 0 && std::abs(page.dpi - estimated) <= 0.3 * estimated) return;
        if (page.dpi > 0)
            page.add_issue("deskew", "dpi.implausible",
                           "the file says " + std::to_string(static_cast<int>(page.dpi)) + " dpi; the form's size says about " +
                               std::to_string(static_cast<int>(estimated)));
        page.dpi = estimated;
        page.dpi_from_file = false;
    }

    static cv::Mat rotate_by(cv::Mat& gray, double angle_deg) {
        cv::Mat out;
        cv::Mat forward = rotate_page(gray, angle_deg, out);
        gray = out;
        return forward;
    }

    // Skew of the content, + when turned counter-clockwise on screen, which is also
    // the sign of Leptonica's angle.
    // A coarse search with Leptonica, then the ruling lines' fitted slopes; pages
    // without ruling lines get Leptonica's fine search instead.
    double measure_skew(const cv::Mat& gray) const {
        cv::Mat ink;
        double level = cv::threshold(gray, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
        if (line_fit_) {
            // The coarse search runs at half resolution (Leptonica reduces further).
            cv::Mat half, half_ink;
            cv::resize(gray, half, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
            cv::threshold(half, half_ink, level, 255, cv::THRESH_BINARY_INV);
            PixPtr small = to_pix_binary(half_ink);
            l_float32 coarse = 0, conf = 0;
            if (pixFindSkewSweepAndSearch(small.get(), &coarse, &conf, 2, 1, sweep_range_, sweep_delta_, min_delta_) == 0 &&
                conf > 0) {
                if (auto fine = skew_from_tracks(horizontal_tracks(gray, coarse, level))) return *fine;
            }
        }
        PixPtr pix = to_pix_binary(ink);
        l_float32 angle = 0, conf = 0;
        if (pixFindSkewSweepAndSearch(pix.get(), &angle, &conf, 2, 1, sweep_range_, 0.5f, 0.005f) != 0 || conf <= 0)
            return 0;
        return angle;
    }

    // A slightly tilted camera or sheet makes the table's frame a quadrilateral: map its
    // four corners back to a rectangle. Returns the forward transform (identity if none).
    static cv::Mat correct_perspective(cv::Mat& gray, const Page& page) {
        cv::Mat ink;
        double level = cv::threshold(gray, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
        auto rows = horizontal_tracks(gray, 0, level);
        cv::Mat turned;
        cv::transpose(gray, turned);
        auto cols = horizontal_tracks(turned, 0, level);
        if (rows.size() < 2 || cols.size() < 2) return cv::Mat::eye(3, 3, CV_64F);
        auto by_a = [](const LineTrack& l, const LineTrack& r) { return l.a < r.a; };
        std::sort(rows.begin(), rows.end(), by_a);
        std::sort(cols.begin(), cols.end(), by_a);
        const LineTrack &top = rows.front(), &bottom = rows.back(), &left = cols.front(), &right = cols.back();
        double spread = std::max(std::abs(top.angle_deg() - bottom.angle_deg()), std::abs(left.angle_deg() - right.angle_deg()));
        double square = std::abs(top.angle_deg() + left.angle_deg());  // 0 when the corners are right angles
        if (std::max(spread, square) < 0.01) return cv::Mat::eye(3, 3, CV_64F);
        // Corner of a row line y = a + b x and a column line x = c + d y.
        auto corner = [](const LineTrack& row, const LineTrack& col) {
            double y = (row.a + row.b * col.a) / (1 - row.b * col.b);
            return cv::Point2f(static_cast<float>(col.a + col.b * y), static_cast<float>(y));
        };
        std::vector<cv::Point2f> src = {corner(top, left), corner(top, right), corner(bottom, right), corner(bottom, left)};
        float w = static_cast<float>((cv::norm(src[1] - src[0]) + cv::norm(src[2] - src[3])) / 2);
        float h = static_cast<float>((cv::norm(src[3] - src[0]) + cv::norm(src[2] - src[1])) / 2);
        cv::Point2f o = (src[0] + src[1] + src[2] + src[3]) * 0.25f - cv::Point2f(w / 2, h / 2);
        std::vector<cv::Point2f> dst = {o, o + cv::Point2f(w, 0), o + cv::Point2f(w, h), o + cv::Point2f(0, h)};
        // A slight warp moves no corner far; anything else means the lines taken for
        // the frame were not the frame: leave the page as it is.
        const double limit = 0.03 * std::hypot(gray.cols, gray.rows);
        for (int i = 0; i < 4; ++i)
            if (cv::norm(src[i] - dst[i]) > limit || !cv::Rect(0, 0, gray.cols, gray.rows).contains(src[i]))
                return cv::Mat::eye(3, 3, CV_64F);
        if (w < gray.cols / 4.0 || h < gray.rows / 8.0) return cv::Mat::eye(3, 3, CV_64F);
        cv::Mat m = cv::getPerspectiveTransform(src, dst);
        cv::Mat out;
        cv::warpPerspective(gray, out, m, gray.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(255));
        gray = out;
        (void)page;
        return m;
    }

    // A page of formscan print has a filled square near each corner of the paper: their
    // centres, mapped onto where they were printed, register the page exactly (what is
    // left of perspective, a copier's scale) and measure the scan's true resolution.
    // Returns the forward transform (identity when the page has no such marks).
    static cv::Mat register_by_corner_marks(cv::Mat& gray, const FormTemplate& form, Page& page) {
        const cv::Mat none = cv::Mat::eye(3, 3, CV_64F);
        const double px_per_mm = page.dpi / 25.4;
        const double side = kCornerMarkMm * px_per_mm;
        if (side < 6) return none;
        const auto found = find_corner_marks(gray, side, 0.35, 0.75);
        if (!std::all_of(found.begin(), found.end(), [](const auto& m) { return m.has_value(); })) return none;
        std::array<cv::Point2f, 4> marks;
        for (std::size_t k = 0; k < 4; ++k) marks[k] = *found[k];
        const bool landscape = gray.cols > gray.rows;
        const double paper_w = landscape ? std::max(form.page_width_mm, form.page_height_mm) : std::min(form.page_width_mm, form.page_height_mm);
        const double paper_h = landscape ? std::min(form.page_width_mm, form.page_height_mm) : std::max(form.page_width_mm, form.page_height_mm);
        // The four must lie as printed: a rectangle of the paper's size less the insets.
        const double span_w = paper_w - 2 * kCornerMarkInsetMm - kCornerMarkMm, span_h = paper_h - 2 * kCornerMarkInsetMm - kCornerMarkMm;
        const double top = cv::norm(marks[1] - marks[0]), bottom = cv::norm(marks[2] - marks[3]);
        const double left = cv::norm(marks[3] - marks[0]), right = cv::norm(marks[2] - marks[1]);
        const double scale = (top + bottom) / (4 * span_w) + (left + right) / (4 * span_h);  // pixels a millimetre
        for (double measured : {top / span_w, bottom / span_w, left / span_h, right / span_h})
            if (std::abs(measured / scale - 1) > 0.03) return none;
        if (std::abs(scale / px_per_mm - 1) > 0.3) return none;
        const cv::Point2f centre = (marks[0] + marks[1] + marks[2] + marks[3]) * 0.25f;
        const cv::Point2f half(static_cast<float>(span_w * scale / 2), static_cast<float>(span_h * scale / 2));
        std::vector<cv::Point2f> src(marks.begin(), marks.end());
        std::vector<cv::Point2f> dst = {centre - half, centre + cv::Point2f(half.x, -half.y), centre + half, centre + cv::Point2f(-half.x, half.y)};
        page.dpi = scale * 25.4;
        double moved = 0;
        for (int k = 0; k < 4; ++k) moved = std::max(moved, cv::norm(src[static_cast<std::size_t>(k)] - dst[static_cast<std::size_t>(k)]));
        if (moved < 0.5) return none;  // already where they were printed
        cv::Mat m = cv::getPerspectiveTransform(src, dst);
        cv::Mat out;
        cv::warpPerspective(gray, out, m, gray.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(255));
        gray = out;
        return m;
    }

    // The title and page header sit above the table: on an upright page there is more
    // ink in a band above the ruled lines than in the same band below them. Only the
    // table's width counts, and large dark blobs (scanner borders) do not.
    static bool upside_down(const cv::Mat& full) {
        cv::Mat gray;  // half resolution is plenty to weigh ink
        cv::resize(full, gray, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
        cv::Mat ink = ink_mask(gray);
        // The table: the largest connected structure of long horizontal and vertical rules.
        cv::Mat hlines, vlines;
        int len = std::max(15, std::min(gray.cols, gray.rows) / 30);
        cv::morphologyEx(ink, hlines, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(len, 1)));
        cv::morphologyEx(ink, vlines, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(1, len)));
        cv::Mat grid = hlines | vlines, labels, stats, centroids;
        int n = cv::connectedComponentsWithStats(grid, labels, stats, centroids, 8, CV_32S);
        int best = -1;
        long best_area = 0;
        for (int i = 1; i < n; ++i) {
            long area = long(stats.at<int>(i, cv::CC_STAT_WIDTH)) * stats.at<int>(i, cv::CC_STAT_HEIGHT);
            if (area > best_area) best_area = area, best = i;
        }
        if (best < 0) return false;
        cv::Rect frame(stats.at<int>(best, cv::CC_STAT_LEFT), stats.at<int>(best, cv::CC_STAT_TOP),
                       stats.at<int>(best, cv::CC_STAT_WIDTH), stats.at<int>(best, cv::CC_STAT_HEIGHT));
        int band = std::max(10, frame.width / 5);
        auto text_ink = [&](int y0, int y1) {
            y0 = std::clamp(y0, 0, ink.rows);
            y1 = std::clamp(y1, 0, ink.rows);
            if (y1 <= y0) return 0.0;
            cv::Mat region = ink(cv::Range(y0, y1), cv::Range(frame.x, frame.x + frame.width)).clone();
            cv::Mat labels, stats, centroids;
            int n = cv::connectedComponentsWithStats(region, labels, stats, centroids, 8, CV_32S);
            double total = 0;
            const int max_side = std::max(8, band / 3);  // a character is far smaller than that
            for (int i = 1; i < n; ++i)
                if (stats.at<int>(i, cv::CC_STAT_WIDTH) < max_side && stats.at<int>(i, cv::CC_STAT_HEIGHT) < max_side)
                    total += stats.at<int>(i, cv::CC_STAT_AREA);
            return total;
        };
        double above = text_ink(frame.y - band, frame.y - 2);
        double below = text_ink(frame.y + frame.height + 2, frame.y + frame.height + band);
        return below > above * 1.5 && below > 0.0002 * ink.total();
    }

    float sweep_range_ = 15, sweep_delta_ = 1, min_delta_ = 0.05f;
    bool orientation_ = true, remove_borders_ = true, line_fit_ = true, perspective_ = true, straighten_ = true, corner_marks_ = true;
};

}  // namespace formscan

POCO_BEGIN_NAMED_MANIFEST(FormscanV2, formscan::Stage)
POCO_EXPORT_CLASS(formscan::DeskewStage)
POCO_END_MANIFEST
