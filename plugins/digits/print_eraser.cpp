#include "print_eraser.hpp"

#include "formscan/pango_handles.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <memory>

namespace formscan {


RenderedPrint render_print(const PrintInCell& print, double size_mm, cv::Size cell) {
    CairoSurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_A8, cell.width, cell.height));
    CairoContextPtr cr(cairo_create(surface.get()));
    cairo_scale(cr.get(), print.px_per_mm, print.px_per_mm);
    const double width_mm = cell.width / print.px_per_mm, height_mm = cell.height / print.px_per_mm;
    // As `formscan print` sets a value: centred, shrunk until it fits the cell.
    print_text(cr.get(), print.text, print.font, size_mm, cv::Rect2d(0, 0, width_mm, height_mm), Align::centre, false);
    cairo_surface_flush(surface.get());
    cv::Mat alpha(cell, CV_8UC1, cairo_image_surface_get_data(surface.get()), static_cast<std::size_t>(cairo_image_surface_get_stride(surface.get())));
    cv::Mat ink;
    cv::threshold(alpha, ink, 100, 255, cv::THRESH_BINARY);
    std::vector<cv::Point> points;
    cv::findNonZero(ink, points);
    if (points.empty()) return {};
    const cv::Rect at = cv::boundingRect(points);
    return {ink(at).clone(), at};
}

cv::Mat erase_print(const cv::Mat& ink, const PrintInCell& print, std::pair<cv::Point2f, cv::Point2f> strike) {
    cv::Mat out = ink.clone();
    const double pen = std::max(2.0, 0.45 * print.px_per_mm);
    // The strike first: a line of the pen's width (and the blur around it).
    cv::line(out, strike.first, strike.second, cv::Scalar(0), static_cast<int>(std::lround(pen)), cv::LINE_8);
    if (print.text.empty() || print.px_per_mm <= 0) return out;
    // Where, and at which size, the print lies: the rendering that best matches the ink
    // (with the strike still in it, as printed ink and pen ink are both there). Both are
    // blurred a little so that a stroke a pixel off still counts.
    cv::Mat blurred_ink;
    cv::GaussianBlur(ink, blurred_ink, cv::Size(), std::max(1.0, 0.12 * print.px_per_mm));
    double best_score = -1;
    cv::Mat best;
    cv::Point best_at;
    // A print run sets its values from about 2.4 to 3.4 mm (a tick a fifth larger),
    // shrunk to fit narrow cells (as the rendering does). Smaller sizes are not tried: a
    // small rendering matches a piece of the writing as well as the print.
    // The print is centred in its cell: it is sought within 1.5 mm of where the rendering
    // puts it (the cell's box is found to about a millimetre), not over the writing.
    const int slack = static_cast<int>(std::lround(1.5 * print.px_per_mm));
    for (double size = 2.3; size <= 4.2; size += 0.1) {
        const RenderedPrint printed = render_print(print, size, ink.size());
        if (printed.ink.empty()) continue;
        const cv::Rect window = cv::Rect(printed.at.x - slack, printed.at.y - slack, printed.at.width + 2 * slack,
                                         printed.at.height + 2 * slack) & cv::Rect(0, 0, ink.cols, ink.rows);
        if (window.width < printed.ink.cols || window.height < printed.ink.rows) continue;
        cv::Mat blurred_print, scores;
        cv::GaussianBlur(printed.ink, blurred_print, cv::Size(), std::max(1.0, 0.12 * print.px_per_mm));
        cv::matchTemplate(blurred_ink(window), blurred_print, scores, cv::TM_CCOEFF_NORMED);
        double top;
        cv::Point at;
        cv::minMaxLoc(scores, nullptr, &top, nullptr, &at);
        if (top > best_score) best_score = top, best = printed.ink, best_at = at + window.tl();
    }
    // Below this the print is not where it was expected (torn, or not printed): erasing a
    // rendering there would only cut the writing.
    if (best_score < 0.35 || best.empty()) return out;
    cv::Mat placed = cv::Mat::zeros(ink.size(), CV_8UC1);
    best.copyTo(placed(cv::Rect(best_at, best.size())));
    cv::dilate(placed, placed, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(3, 3)), {-1, -1},
               std::max(1, static_cast<int>(std::lround(0.15 * print.px_per_mm))));
    out.setTo(0, placed);
    // Writing that crossed the print lost the pixels it shared with it: where the erased
    // band is bridged by writing on both sides (closing at the band's width), the ink
    // that was there comes back; a printed stroke with writing on one side only does not.
    cv::Mat bridged;
    const int across = 2 * static_cast<int>(std::lround(0.35 * print.px_per_mm)) + 1;
    cv::morphologyEx(out, bridged, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(across, across)));
    out |= bridged & placed & ink;
    // What is left of the print (its edges where the rendering and the scan differ by a
    // pixel): pieces lying mostly where the print was. Writing reaches beyond it.
    cv::Mat near_print;
    cv::dilate(placed, near_print, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(3, 3)), {-1, -1},
               std::max(1, static_cast<int>(std::lround(0.15 * print.px_per_mm))));
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(out, labels, stats, centroids, 8, CV_32S);
    std::vector<int> inside(static_cast<std::size_t>(n), 0);
    for (int y = 0; y < out.rows; ++y)
        for (int x = 0; x < out.cols; ++x)
            if (const int label = labels.at<int>(y, x); label > 0 && near_print.at<unsigned char>(y, x)) ++inside[static_cast<std::size_t>(label)];
    for (int i = 1; i < n; ++i)
        if (inside[static_cast<std::size_t>(i)] >= 0.7 * stats.at<int>(i, cv::CC_STAT_AREA)) out.setTo(0, labels == i);
    return out;
}

}  // namespace formscan
