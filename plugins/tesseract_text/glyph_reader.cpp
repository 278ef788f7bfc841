#include "glyph_reader.hpp"

#include "formscan/error.hpp"
#include "formscan/text_utils.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <numeric>

namespace formscan {

namespace {

constexpr int kSide = 32;
constexpr int kFit = 28;

}  // namespace

GlyphReader::GlyphReader(const std::string& model_path, const std::string& chars_path) {
    std::ifstream in(chars_path);
    if (!in) throw Error("formscan.glyphs.model", "cannot read the glyph recogniser's characters " + chars_path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto& c : utf8_chars(text))
        if (c != "\n" && c != " ") {
            index_.emplace(c, static_cast<int>(chars_.size()));
            chars_.push_back(c);
        }
    try {
        net_ = cv::dnn::readNetFromONNX(model_path);
    } catch (const cv::Exception& e) {
        throw Error("formscan.glyphs.model", "cannot load the glyph recogniser " + model_path + ": " + e.what());
    }
    if (net_.empty() || chars_.empty()) throw Error("formscan.glyphs.model", "cannot load the glyph recogniser " + model_path);
    net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
}

namespace {

// The ink without specks standing apart from the text (a rule's remnant, a dot of dust
// beside the name): a piece under 3% of the ink more than half the line's height from
// every larger piece. They would shift every cut of a line cut evenly.
cv::Mat text_ink(const cv::Mat& ink) {
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
    const double total = cv::countNonZero(ink);
    std::vector<cv::Rect> boxes;
    for (int i = 1; i < n; ++i)
        boxes.push_back({stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP), stats.at<int>(i, cv::CC_STAT_WIDTH),
                         stats.at<int>(i, cv::CC_STAT_HEIGHT)});
    int height = 0;
    for (const auto& b : boxes) height = std::max(height, b.height);
    cv::Mat out = ink.clone();
    for (int i = 1; i < n; ++i) {
        if (stats.at<int>(i, cv::CC_STAT_AREA) >= 0.03 * total) continue;
        const cv::Rect& b = boxes[static_cast<std::size_t>(i - 1)];
        bool near = false;
        for (int j = 1; j < n && !near; ++j) {
            if (j == i || stats.at<int>(j, cv::CC_STAT_AREA) <= stats.at<int>(i, cv::CC_STAT_AREA)) continue;
            const cv::Rect& o = boxes[static_cast<std::size_t>(j - 1)];
            const int gap = std::max({0, o.x - b.br().x, b.x - o.br().x});
            near = gap <= 0.5 * height;
        }
        if (!near) out.setTo(0, labels == i);
    }
    return out;
}

}  // namespace

std::vector<int> GlyphReader::cuts(const cv::Mat& ink, int count) {
    cv::Mat columns;
    cv::reduce(ink / 255, columns, 0, cv::REDUCE_SUM, CV_32S);
    int first = 0, last = ink.cols - 1;
    while (first < ink.cols && columns.at<int>(first) == 0) ++first;
    while (last > first && columns.at<int>(last) == 0) --last;
    std::vector<int> out = {first};
    if (first >= ink.cols) return {};
    const double pitch = static_cast<double>(last + 1 - first) / count;
    for (int k = 1; k < count; ++k) {
        const int even = first + static_cast<int>(std::lround(k * pitch));
        const int reach = std::max(1, static_cast<int>(0.2 * pitch));
        int best = even;
        for (int x = std::max(out.back() + 1, even - reach); x <= std::min(last, even + reach); ++x)
            if (columns.at<int>(x) < columns.at<int>(best) ||
                (columns.at<int>(x) == columns.at<int>(best) && std::abs(x - even) < std::abs(best - even)))
                best = x;
        out.push_back(best);
    }
    out.push_back(last + 1);
    return out;
}

cv::Mat GlyphReader::normalise(const cv::Mat& ink) {
    cv::Mat out = cv::Mat::zeros(kSide, kSide, CV_32F);
    std::vector<cv::Point> points;
    cv::findNonZero(ink, points);
    if (points.empty()) return out;
    const cv::Rect bounds = cv::boundingRect(points);
    const double scale = static_cast<double>(kFit) / std::max(bounds.width, bounds.height);
    const int w = std::max(1, static_cast<int>(std::lround(bounds.width * scale)));
    const int h = std::max(1, static_cast<int>(std::lround(bounds.height * scale)));
    cv::Mat glyph;
    ink(bounds).convertTo(glyph, CV_32F, 1.0 / 255);
    cv::resize(glyph, glyph, cv::Size(w, h), 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    glyph.copyTo(out(cv::Rect((kSide - w) / 2, (kSide - h) / 2, w, h)));
    return out;
}

std::vector<GlyphDistribution> GlyphReader::read(const cv::Mat& ink, int count) {
    if (count < 1 || ink.empty() || cv::countNonZero(ink) == 0) return {};
    const cv::Mat text = text_ink(ink);
    const std::vector<int> at = cuts(text, count);
    if (at.size() != static_cast<std::size_t>(count) + 1) return {};
    std::vector<cv::Mat> crops;
    for (int k = 0; k < count; ++k) crops.push_back(normalise(text(cv::Range::all(), cv::Range(at[k], std::max(at[k] + 1, at[k + 1])))));
    net_.setInput(cv::dnn::blobFromImages(crops));
    const cv::Mat logits = net_.forward();
    std::vector<GlyphDistribution> out;
    for (int i = 0; i < logits.rows; ++i) {
        const float* row = logits.ptr<float>(i);
        const float peak = *std::max_element(row, row + logits.cols);
        std::vector<double> p(static_cast<std::size_t>(logits.cols));
        double sum = 0;
        for (int c = 0; c < logits.cols; ++c) sum += p[static_cast<std::size_t>(c)] = std::exp(row[c] - peak);
        for (double& v : p) v /= sum;
        out.emplace_back(std::move(p), &chars_, &index_);
    }
    return out;
}

double GlyphDistribution::of(const std::string& c) const {
    auto it = index_->find(c);
    return it == index_->end() || static_cast<std::size_t>(it->second) >= p_.size() ? 0.0 : p_[static_cast<std::size_t>(it->second)];
}

std::vector<std::pair<std::string, double>> GlyphDistribution::top(int k) const {
    std::vector<int> order(p_.size());
    std::iota(order.begin(), order.end(), 0);
    const int keep = std::min<int>(k, static_cast<int>(std::min(p_.size(), chars_->size())));
    std::partial_sort(order.begin(), order.begin() + keep, order.end(),
                      [&](int a, int b) { return p_[static_cast<std::size_t>(a)] > p_[static_cast<std::size_t>(b)]; });
    std::vector<std::pair<std::string, double>> out;
    for (int i = 0; i < keep; ++i) {
        const auto c = static_cast<std::size_t>(order[static_cast<std::size_t>(i)]);
        out.push_back({(*chars_)[c], p_[c]});
    }
    return out;
}

}  // namespace formscan
