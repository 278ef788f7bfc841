#include "formscan/cell_image.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace formscan {

namespace {

// A line written on (the 填报日期 value line, an underline in a cell) joins every
// character it touches into one piece. Long horizontal runs in the lower part of the
// writing are taken out where they are only line: a column where a stroke crosses the
// line keeps its ink. A strike-through sits in the middle of the text and stays.
void remove_underlines(cv::Mat& ink, bool broken_too) {
    const int min_length = std::max(2 * ink.rows, 40);
    if (ink.cols < min_length) return;
    // A line broken into dashes (1-bit scans, faint print) is bridged first; only the
    // ink under the bridged line counts as line.
    cv::Mat bridged, line;
    if (broken_too) cv::morphologyEx(ink, bridged, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(9, 1)));
    else bridged = ink;
    cv::morphologyEx(bridged, line, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(min_length, 1)));
    line &= ink;
    if (cv::countNonZero(line) == 0) return;
    // The writing's vertical extent without the line.
    cv::Mat rest = ink & ~line, rows;
    cv::reduce(rest / 255, rows, 1, cv::REDUCE_SUM, CV_32S);
    int top = -1, bottom = -1;
    for (int y = 0; y < rows.rows; ++y)
        if (rows.at<int>(y) > 0) {
            if (top < 0) top = y;
            bottom = y;
        }
    if (top < 0) return;
    const int middle = (top + bottom) / 2;
    for (int x = 0; x < ink.cols; ++x) {
        for (int y = 0; y < ink.rows;) {
            if (!line.at<unsigned char>(y, x)) {
                ++y;
                continue;
            }
            int end = y;
            while (end < ink.rows && line.at<unsigned char>(end, x)) ++end;
            // The whole vertical run of ink through this stretch of line. A scanned line's
            // edges are ragged, and the opening trims them: a run reaching a little past
            // the line found (a third of its thickness, at least two pixels) is still only
            // line; a stroke crossing it reaches much further.
            int from = y, to = end;
            while (from > 0 && ink.at<unsigned char>(from - 1, x)) --from;
            while (to < ink.rows && ink.at<unsigned char>(to, x)) ++to;
            const int ragged = std::max(2, (end - y) / 3);
            const bool only_line = y - from <= ragged && to - end <= ragged;
            if (y > middle && only_line)
                for (int k = from; k < to; ++k) ink.at<unsigned char>(k, x) = 0;
            y = to;
        }
    }
}

}  // namespace

Surround surround_of(Placement placement) {
    switch (placement) {
        case Placement::header: return Surround::header_value;
        case Placement::sheet: return Surround::blank_line;
        case Placement::column: break;
    }
    return Surround::ruled_cell;
}

cv::Mat cell_ink(const cv::Mat& page_gray, const cv::Rect& requested, int min_speck, Surround around) {
    cv::Rect box = requested & cv::Rect(0, 0, page_gray.cols, page_gray.rows);
    if (box.area() <= 0) return cv::Mat::zeros(1, 1, CV_8UC1);
    cv::Mat crop = page_gray(box);
    cv::Mat ink = cv::Mat::zeros(crop.size(), CV_8UC1);
    // Paper is the bright majority; writing, however faint, is well below it. Scanner
    // noise alone never spreads the darkest percent this far from the paper.
    int hist[256] = {};
    for (int y = 0; y < crop.rows; ++y) {
        const unsigned char* row = crop.ptr<unsigned char>(y);
        for (int x = 0; x < crop.cols; ++x) ++hist[row[x]];
    }
    auto percentile = [&](double q) {
        long want = static_cast<long>(q * double(crop.total())), seen = 0;
        for (int v = 0; v < 256; ++v)
            if ((seen += hist[v]) > want) return v;
        return 255;
    };
    // The darkest few pixels: a share of the cell, but never more than a small printed
    // digit has (a "1" in a wide cell is far less than half a percent of it).
    const int darkest = percentile(std::min(0.005, 12.0 / double(crop.total()))), paper = percentile(0.75);
    if (paper - darkest < 55) return ink;  // nothing written
    cv::Mat tmp;
    double otsu = cv::threshold(crop, tmp, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
    double level = std::min(otsu, paper - 0.3 * (paper - darkest));
    cv::threshold(crop, ink, level, 255, cv::THRESH_BINARY_INV);

    // Remnants of the ruling lines: near an edge, a row (column) mostly inked.
    auto clear_edge_rules = [&](bool rows) {
        const int n = rows ? ink.rows : ink.cols, length = rows ? ink.cols : ink.rows;
        const int margin = std::max(2, n / 6);
        cv::Mat sums;
        cv::reduce(ink / 255, sums, rows ? 1 : 0, cv::REDUCE_SUM, CV_32S);
        for (int i = 0; i < n; ++i) {
            if (i >= margin && i < n - margin) continue;
            // Right at the edge a broken remnant of a rule counts from under half the
            // cell's length; further in only a nearly whole one: a handwritten 1 near the
            // edge is long too, but not that long.
            const int hugging = std::max(3, n / 20);
            const bool at_edge = i < hugging || i >= n - hugging;
            if (sums.at<int>(i) < (at_edge ? 0.45 : 0.8) * length) continue;
            for (int k = std::max(0, i - 1); k <= std::min(n - 1, i + 1); ++k) {
                if (rows) ink.row(k).setTo(0);
                else ink.col(k).setTo(0);
            }
        }
    };
    clear_edge_rules(true);
    if (around != Surround::header_value) clear_edge_rules(false);
    remove_underlines(ink, around != Surround::ruled_cell);

    cv::Mat labels, stats, centroids;
    int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
    for (int i = 1; i < n; ++i) {
        int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
        int x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
        bool speck = stats.at<int>(i, cv::CC_STAT_AREA) < min_speck;
        // A thin sliver along an edge is what is left of a rule, not writing.
        // (A handwritten 1 near the edge is thin too, but neither that long nor that close.)
        bool sliver = (around != Surround::header_value && w <= 3 && h > 0.6 * ink.rows && (x <= 3 || x + w >= ink.cols - 3)) ||
                      (h <= 3 && w > 0.6 * ink.cols && (y <= 3 || y + h >= ink.rows - 3));
        if (speck || sliver) ink.setTo(0, labels == i);
    }
    return ink;
}

cv::Mat without_dotted_rules(cv::Mat ink, double margin) {
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
    const double top_band = margin * ink.rows, bottom_band = (1 - margin) * ink.rows;
    struct Dot {
        int label, x0, x1;
        double y;
    };
    std::vector<Dot> dots;
    for (int i = 1; i < n; ++i) {
        const int top = stats.at<int>(i, cv::CC_STAT_TOP), height = stats.at<int>(i, cv::CC_STAT_HEIGHT);
        const bool outer = top + height <= top_band || top >= bottom_band;
        if (outer && height <= std::max(3, ink.rows / 8))
            dots.push_back({i, stats.at<int>(i, cv::CC_STAT_LEFT),
                            stats.at<int>(i, cv::CC_STAT_LEFT) + stats.at<int>(i, cv::CC_STAT_WIDTH), centroids.at<double>(i, 1)});
    }
    std::vector<unsigned char> dropped(static_cast<std::size_t>(n), 0);
    for (const Dot& dot : dots) {
        int in_line = 0, x0 = dot.x0, x1 = dot.x1;
        for (const Dot& other : dots)
            if (std::abs(other.y - dot.y) <= 1.5) {
                ++in_line;
                x0 = std::min(x0, other.x0);
                x1 = std::max(x1, other.x1);
            }
        dropped[static_cast<std::size_t>(dot.label)] = in_line >= 3 && x1 - x0 >= ink.cols / 2;
    }
    // One pass over the pixels for all the dropped pieces.
    for (int y = 0; y < ink.rows; ++y)
        for (int x = 0; x < ink.cols; ++x)
            if (dropped[static_cast<std::size_t>(labels.at<int>(y, x))]) ink.at<unsigned char>(y, x) = 0;
    return ink;
}

double ink_share(const cv::Mat& ink) { return ink.empty() ? 0.0 : cv::countNonZero(ink) / double(ink.total()); }

cv::Rect ink_bounds(const cv::Mat& ink) {
    std::vector<cv::Point> points;
    cv::findNonZero(ink, points);
    return points.empty() ? cv::Rect() : cv::boundingRect(points);
}

cv::Mat grey_for_ocr(const cv::Mat& page_gray, const cv::Rect& requested, const cv::Mat& ink, int target_height,
                     double sharpen, double max_scale, int pad) {
    cv::Rect box = requested & cv::Rect(0, 0, page_gray.cols, page_gray.rows);
    cv::Rect bounds = ink_bounds(ink);
    if (box.area() == 0 || bounds.area() == 0 || ink.size() != box.size())
        return cv::Mat(target_height + 2 * pad, target_height + 2 * pad, CV_8UC1, cv::Scalar(255));
    int grow = std::max(1, bounds.height / 15);
    bounds = cv::Rect(bounds.x - grow, bounds.y - grow, bounds.width + 2 * grow, bounds.height + 2 * grow) &
             cv::Rect(0, 0, box.width, box.height);
    cv::Mat crop = page_gray(box)(bounds).clone();
    // Paper and ink levels from the crop itself.
    std::vector<unsigned char> values(crop.begin<unsigned char>(), crop.end<unsigned char>());
    std::sort(values.begin(), values.end());
    double ink_level = values[values.size() / 50], paper = values[values.size() * 3 / 4];
    if (paper - ink_level < 20) ink_level = paper - 20;
    crop.convertTo(crop, CV_8U, 255.0 / (paper - ink_level), -ink_level * 255.0 / (paper - ink_level));
    // Away from the cleaned ink (rule remnants, specks) the crop is paper.
    cv::Mat near;
    cv::dilate(ink(bounds), near, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * grow + 1, 2 * grow + 1)));
    crop.setTo(255, near == 0);
    double scale = std::min(max_scale, target_height / double(std::max(1, bounds.height - 2 * grow)));
    cv::Mat scaled;
    cv::resize(crop, scaled, cv::Size(), scale, scale, scale > 1 ? cv::INTER_CUBIC : cv::INTER_AREA);
    if (sharpen > 0) {
        // Blurred scans: an unsharp mask at the scale of a stroke brings the strokes back.
        cv::Mat blurred;
        cv::GaussianBlur(scaled, blurred, cv::Size(), std::max(1.0, target_height / 14.0));
        cv::addWeighted(scaled, 1 + sharpen, blurred, -sharpen, 0, scaled);
    }
    cv::Mat out;
    cv::copyMakeBorder(scaled, out, pad, pad, pad, pad, cv::BORDER_CONSTANT, cv::Scalar(255));
    return out;
}

}  // namespace formscan
