#include "formscan/cell_image.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace formscan {

cv::Mat cell_ink(const cv::Mat& page_gray, const cv::Rect& requested, int min_speck) {
    cv::Rect box = requested & cv::Rect(0, 0, page_gray.cols, page_gray.rows);
    if (box.area() <= 0) return cv::Mat::zeros(1, 1, CV_8UC1);
    cv::Mat crop = page_gray(box);
    double lo = 0, hi = 0;
    cv::minMaxLoc(crop, &lo, &hi);
    cv::Mat ink = cv::Mat::zeros(crop.size(), CV_8UC1);
    if (hi - lo < 50) return ink;  // no contrast: nothing written
    cv::Mat tmp;
    double otsu = cv::threshold(crop, tmp, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
    // Paper is light: never call a pixel ink that is paler than mid-grey, whatever Otsu says.
    cv::threshold(crop, ink, std::min(otsu, 170.0), 255, cv::THRESH_BINARY_INV);

    // Remnants of the ruling lines: long thin runs along the crop's edges.
    auto remove_lines = [&](bool horizontal) {
        int len = std::max(5, (horizontal ? ink.cols : ink.rows) * 6 / 10);
        cv::Mat lines;
        cv::morphologyEx(ink, lines, cv::MORPH_OPEN,
                         cv::getStructuringElement(cv::MORPH_RECT, horizontal ? cv::Size(len, 1) : cv::Size(1, len)));
        if (cv::countNonZero(lines) == 0) return;
        // Only near the edges: a long stroke through the middle is writing, not a rule.
        int margin = std::max(2, (horizontal ? ink.rows : ink.cols) / 6);
        cv::Mat edge_mask = cv::Mat::zeros(ink.size(), CV_8UC1);
        if (horizontal) {
            edge_mask.rowRange(0, std::min(margin, ink.rows)).setTo(255);
            edge_mask.rowRange(std::max(0, ink.rows - margin), ink.rows).setTo(255);
        } else {
            edge_mask.colRange(0, std::min(margin, ink.cols)).setTo(255);
            edge_mask.colRange(std::max(0, ink.cols - margin), ink.cols).setTo(255);
        }
        cv::dilate(lines & edge_mask, lines, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
        ink.setTo(0, lines);
    };
    remove_lines(true);
    remove_lines(false);

    cv::Mat labels, stats, centroids;
    int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
    for (int i = 1; i < n; ++i)
        if (stats.at<int>(i, cv::CC_STAT_AREA) < min_speck) ink.setTo(0, labels == i);
    return ink;
}

double ink_share(const cv::Mat& ink) { return ink.empty() ? 0.0 : cv::countNonZero(ink) / double(ink.total()); }

cv::Rect ink_bounds(const cv::Mat& ink) {
    std::vector<cv::Point> points;
    cv::findNonZero(ink, points);
    return points.empty() ? cv::Rect() : cv::boundingRect(points);
}

cv::Mat ink_for_ocr(const cv::Mat& ink, int target_height, double max_scale, int pad) {
    cv::Rect bounds = ink_bounds(ink);
    if (bounds.area() == 0) return cv::Mat(target_height + 2 * pad, target_height + 2 * pad, CV_8UC1, cv::Scalar(255));
    cv::Mat crop = 255 - ink(bounds);
    double scale = std::min(max_scale, target_height / double(bounds.height));
    cv::Mat scaled;
    cv::resize(crop, scaled, cv::Size(), scale, scale, scale > 1 ? cv::INTER_CUBIC : cv::INTER_AREA);
    cv::threshold(scaled, scaled, 128, 255, cv::THRESH_BINARY);
    cv::Mat out;
    cv::copyMakeBorder(scaled, out, pad, pad, pad, pad, cv::BORDER_CONSTANT, cv::Scalar(255));
    return out;
}

}  // namespace formscan
