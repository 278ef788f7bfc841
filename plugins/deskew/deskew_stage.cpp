// deskew: removes dark scanner borders, undoes 90/180/270-degree turns and measures
// and corrects the page's skew. See README.md in this folder.
#include "formscan/image_convert.hpp"
#include "formscan/stage.hpp"

#include <Poco/ClassLibrary.h>
#include <leptonica/allheaders.h>
#include <opencv2/imgproc.hpp>

#include <cmath>

namespace formscan {

namespace {

// Scanner lids and feeders leave dark bands where there is no paper. They touch the
// image edge and are far larger than any printed stroke: paint them white.
void remove_dark_borders(cv::Mat& gray) {
    cv::Mat dark;
    cv::threshold(gray, dark, 60, 255, cv::THRESH_BINARY_INV);
    cv::Mat labels, stats, centroids;
    int n = cv::connectedComponentsWithStats(dark, labels, stats, centroids, 8, CV_32S);
    const double min_area = 0.002 * gray.total();
    for (int i = 1; i < n; ++i) {
        int x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
        int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
        bool touches = x == 0 || y == 0 || x + w == gray.cols || y + h == gray.rows;
        if (touches && stats.at<int>(i, cv::CC_STAT_AREA) > min_area) gray.setTo(255, labels == i);
    }
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
    double a = std::abs(angle_deg) * CV_PI / 180.0;
    int w = static_cast<int>(std::lround(gray.cols * std::cos(a) + gray.rows * std::sin(a)));
    int h = static_cast<int>(std::lround(gray.cols * std::sin(a) + gray.rows * std::cos(a)));
    m.at<double>(0, 2) += (w - gray.cols) / 2.0;
    m.at<double>(1, 2) += (h - gray.rows) / 2.0;
    cv::warpAffine(gray, out, m, cv::Size(w, h), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(255));
    cv::Mat forward = cv::Mat::eye(3, 3, CV_64F);
    m.copyTo(forward.rowRange(0, 2));
    return forward;
}

// Ink in long straight runs along each axis: a ruled table or text lines give far more
// along the direction the lines run.
double long_runs(const cv::Mat& ink, bool horizontal) {
    int len = std::max(15, (horizontal ? ink.cols : ink.rows) / 25);
    cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, horizontal ? cv::Size(len, 1) : cv::Size(1, len));
    cv::Mat lines;
    cv::morphologyEx(ink, lines, cv::MORPH_OPEN, kernel);
    return cv::countNonZero(lines);
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
                    {"sweep_delta", ParamType::number, "0.5", 0.05, 2, "coarse sweep step, degrees"},
                    {"min_delta", ParamType::number, "0.005", 0.001, 0.1, "binary-search precision, degrees"},
                    {"orientation", ParamType::boolean, "true", 0, 1, "detect and undo 90/180/270-degree turns"},
                    {"remove_borders", ParamType::boolean, "true", 0, 1, "paint dark scanner borders white"},
                }};
    }

    void configure(const ParamValues& params, const StageEnvironment&) override {
        sweep_range_ = static_cast<float>(params.get_double("sweep_range"));
        sweep_delta_ = static_cast<float>(params.get_double("sweep_delta"));
        min_delta_ = static_cast<float>(params.get_double("min_delta"));
        orientation_ = params.get_bool("orientation");
        remove_borders_ = params.get_bool("remove_borders");
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
        if (std::abs(skew) > 1e-4) transform = rotate_by(gray, -skew) * transform;

        if (orientation_ && upside_down(gray)) {
            transform = rotate_by(gray, 180) * transform;
            turn = (turn + 180) % 360;
        }
        page.image = gray;
        page.skew_deg = skew;
        page.orientation_deg = turn;
        page.to_scan = transform.inv();
    }

private:
    static cv::Mat rotate_by(cv::Mat& gray, double angle_deg) {
        cv::Mat out;
        cv::Mat forward = rotate_page(gray, angle_deg, out);
        gray = out;
        return forward;
    }

    // Skew of the content, + when turned counter-clockwise on screen, which is also
    // the sign of Leptonica's angle.
    double measure_skew(const cv::Mat& gray) const {
        PixPtr pix = to_pix_binary(ink_mask(gray));
        l_float32 angle = 0, conf = 0;
        if (pixFindSkewSweepAndSearch(pix.get(), &angle, &conf, 2, 1, sweep_range_, sweep_delta_, min_delta_) != 0 ||
            conf <= 0)
            return 0;
        return angle;
    }

    // The title and page header sit above the table: on an upright page the ink above
    // the ruled lines outweighs the ink below them.
    static bool upside_down(const cv::Mat& gray) {
        cv::Mat ink = ink_mask(gray);
        cv::Mat lines;
        cv::morphologyEx(ink, lines, cv::MORPH_OPEN,
                         cv::getStructuringElement(cv::MORPH_RECT, cv::Size(std::max(15, gray.cols / 6), 1)));
        std::vector<cv::Point> points;
        cv::findNonZero(lines, points);
        if (points.size() < 10) return false;
        cv::Rect frame = cv::boundingRect(points);
        double above = cv::countNonZero(ink.rowRange(0, frame.y));
        double below = cv::countNonZero(ink.rowRange(frame.y + frame.height, ink.rows));
        return below > above * 1.5 && below > 0.0005 * ink.total();
    }

    float sweep_range_ = 15, sweep_delta_ = 0.5f, min_delta_ = 0.005f;
    bool orientation_ = true, remove_borders_ = true;
};

}  // namespace formscan

POCO_BEGIN_NAMED_MANIFEST(FormscanV1, formscan::Stage)
POCO_EXPORT_CLASS(formscan::DeskewStage)
POCO_END_MANIFEST
