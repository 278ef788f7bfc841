#include "scan_damage.hpp"
#include "random_utils.hpp"

#include <opencv2/imgproc.hpp>

#include <cmath>

namespace formscan::synth {

DamagedScan damage_scan(const cv::Mat& page, const DamageOptions& o, std::mt19937& rng) {
    DamagedScan out;
    if (!o.enabled) {
        out.gray = page.clone();
        return out;
    }
    // Uneven paper and lighting: a gentle gradient over the page.
    cv::Mat paper(page.size(), CV_32F);
    double gx = uni(-0.06, 0.06, rng), gy = uni(-0.06, 0.06, rng), base = uni(0.9, 1.0, rng);
    for (int y = 0; y < page.rows; ++y) {
        float* row = paper.ptr<float>(y);
        for (int x = 0; x < page.cols; ++x) row[x] = static_cast<float>(base + gx * x / page.cols + gy * y / page.rows);
    }
    cv::Mat img;
    page.convertTo(img, CV_32F);
    img = 255.0f - (255.0f - img) * uni(0.75, 1.0, rng);  // ink not always black
    img = img.mul(paper);

    // Skew and perspective as one homography onto a canvas with room around the page.
    out.skew_deg = uni(-o.max_skew_deg, o.max_skew_deg, rng);
    double margin = 0.04 * std::max(page.cols, page.rows);
    double a = out.skew_deg * CV_PI / 180.0;
    int cw = static_cast<int>(page.cols * std::abs(std::cos(a)) + page.rows * std::abs(std::sin(a)) + 2 * margin);
    int ch = static_cast<int>(page.cols * std::abs(std::sin(a)) + page.rows * std::abs(std::cos(a)) + 2 * margin);
    cv::Mat rot = cv::getRotationMatrix2D(cv::Point2f(page.cols / 2.0f, page.rows / 2.0f), out.skew_deg, 1.0);
    rot.at<double>(0, 2) += (cw - page.cols) / 2.0;
    rot.at<double>(1, 2) += (ch - page.rows) / 2.0;
    cv::Mat h = cv::Mat::eye(3, 3, CV_64F);
    rot.copyTo(h.rowRange(0, 2));
    if (chance(o.perspective_probability, rng)) {
        out.perspective = true;
        std::vector<cv::Point2f> src = {{0, 0}, {float(page.cols), 0}, {float(page.cols), float(page.rows)}, {0, float(page.rows)}};
        std::vector<cv::Point2f> dst = src;
        double s = o.perspective_max * std::max(page.cols, page.rows);
        for (auto& p : dst) p += cv::Point2f(static_cast<float>(uni(-s, s, rng)), static_cast<float>(uni(-s, s, rng)));
        h = h * cv::getPerspectiveTransform(src, dst);
    }
    bool dark = chance(o.dark_border_probability, rng);
    double outside = dark ? uni(15, 70, rng) : uni(235, 255, rng);
    cv::Mat warped;
    cv::warpPerspective(img, warped, h, cv::Size(cw, ch), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(outside));
    if (dark) {
        // The scanner only sees part of the dark lid: crop a random inner window.
        int cx = static_cast<int>(uni(0, margin * 0.8, rng)), cy = static_cast<int>(uni(0, margin * 0.8, rng));
        int cx2 = static_cast<int>(uni(0, margin * 0.8, rng)), cy2 = static_cast<int>(uni(0, margin * 0.8, rng));
        warped = warped(cv::Rect(cx, cy, cw - cx - cx2, ch - cy - cy2)).clone();
    }

    double sigma = uni(0, o.blur_max, rng);
    if (sigma > 0.2) cv::GaussianBlur(warped, warped, cv::Size(0, 0), sigma);
    cv::Mat noise(warped.size(), CV_32F);
    cv::randn(noise, 0, uni(0, o.noise_max, rng));
    warped += noise;
    warped.convertTo(out.gray, CV_8U);

    if (chance(o.turn_probability, rng)) {
        int turn = o.quarter_turns ? std::uniform_int_distribution<int>(1, 3)(rng) : 2;
        // Content turned clockwise by turn*90 is undone by the same counter-clockwise turn.
        cv::rotate(out.gray, out.gray, turn == 1 ? cv::ROTATE_90_CLOCKWISE : turn == 2 ? cv::ROTATE_180 : cv::ROTATE_90_COUNTERCLOCKWISE);
        out.orientation_deg = turn * 90;
    }
    return out;
}

}  // namespace formscan::synth
