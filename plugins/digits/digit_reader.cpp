#include "digit_reader.hpp"

#include "formscan/digit_strings.hpp"
#include "formscan/error.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace formscan {

namespace {
constexpr int kReject = 10;
constexpr int kMaxGroup = 3;  // pieces one character may be broken into
}  // namespace

std::string DigitReading::text() const {
    std::string s;
    for (const auto& c : chars) s += c.best;
    return s;
}

std::string DigitReading::digits() const {
    std::string s;
    for (const auto& c : chars)
        if (c.best >= '0' && c.best <= '9') s += c.best;
    return s;
}

double DigitReading::confidence() const {
    double p = 1;
    for (const auto& c : chars) p *= c.choices.empty() ? 1.0 : c.choices.front().second;
    return chars.empty() ? 0.0 : p;
}

DigitReader::DigitReader(const std::string& model_path) {
    try {
        net_ = cv::dnn::readNetFromONNX(model_path);
    } catch (const cv::Exception& e) {
        throw Error("formscan.digits.model", "cannot load the digit recogniser " + model_path + ": " + e.what());
    }
    if (net_.empty()) throw Error("formscan.digits.model", "cannot load the digit recogniser " + model_path);
    net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
}

std::vector<std::vector<float>> DigitReader::classify(const std::vector<cv::Mat>& crops) {
    std::vector<std::vector<float>> out;
    if (crops.empty()) return out;
    cv::Mat blob = cv::dnn::blobFromImages(crops, 1.0 / 255.0, cv::Size(28, 28), cv::Scalar(), false, false, CV_32F);
    net_.setInput(blob);
    cv::Mat logits = net_.forward();
    for (int i = 0; i < logits.rows; ++i) {
        const float* row = logits.ptr<float>(i);
        float top = *std::max_element(row, row + logits.cols);
        std::vector<float> p(logits.cols);
        float sum = 0;
        for (int k = 0; k < logits.cols; ++k) sum += p[k] = std::exp(row[k] - top);
        for (float& v : p) v /= sum;
        out.push_back(std::move(p));
    }
    return out;
}

DigitReading DigitReader::read(const cv::Mat& ink, bool allow_separators) {
    DigitReading reading;
    // Over-cut: the segmenter's pieces, with wide ones already split; the search below
    // may join neighbours again.
    std::vector<InkPiece> pieces = segment_digits(ink);
    const int n = static_cast<int>(pieces.size());
    if (n == 0) return reading;

    // Every candidate group of 1..kMaxGroup neighbouring non-separator pieces.
    struct Group {
        int from, to;  // pieces [from, to)
        cv::Rect box;
        std::vector<float> p;
    };
    std::vector<Group> groups;
    std::vector<cv::Mat> crops;
    int tallest = 1;
    for (const auto& piece : pieces) tallest = std::max(tallest, piece.box.height);
    for (int i = 0; i < n; ++i) {
        if (pieces[i].separator) continue;
        cv::Rect box = pieces[i].box;
        for (int j = i + 1; j <= std::min(n, i + kMaxGroup); ++j) {
            if (pieces[j - 1].separator) break;
            box |= pieces[j - 1].box;
            if (j - i > 1 && box.width > 1.3 * tallest) break;  // too wide for one character
            cv::Mat canvas = cv::Mat::zeros(box.size(), CV_8UC1);
            for (int k = i; k < j; ++k) {
                cv::Rect r = pieces[k].box - box.tl();
                canvas(r) |= pieces[k].ink;
            }
            groups.push_back({i, j, box, {}});
            crops.push_back(normalise_digit(canvas));
        }
    }
    auto probs = classify(crops);
    for (std::size_t g = 0; g < groups.size(); ++g) groups[g].p = probs[g];

    // Best path through the pieces: each step reads a group as one digit, keeps a
    // separator, or drops a piece as noise (at a cost).
    const double kDropCost = std::log(0.02);
    std::vector<double> best(n + 1, -std::numeric_limits<double>::infinity());
    std::vector<int> from_group(n + 1, -2), prev(n + 1, -1);
    best[0] = 0;
    for (int i = 0; i < n; ++i) {
        if (!std::isfinite(best[i])) continue;
        if (pieces[i].separator) {
            double cost = allow_separators ? 0.0 : kDropCost * 0.5;
            if (best[i] + cost > best[i + 1]) best[i + 1] = best[i] + cost, from_group[i + 1] = -1, prev[i + 1] = i;
            continue;
        }
        if (best[i] + kDropCost > best[i + 1]) best[i + 1] = best[i] + kDropCost, from_group[i + 1] = -3, prev[i + 1] = i;
        for (std::size_t g = 0; g < groups.size(); ++g) {
            if (groups[g].from != i) continue;
            double digit = *std::max_element(groups[g].p.begin(), groups[g].p.begin() + kReject);
            double score = best[i] + std::log(std::max(1e-9, digit));
            int j = groups[g].to;
            if (score > best[j]) best[j] = score, from_group[j] = static_cast<int>(g), prev[j] = i;
        }
    }
    std::vector<CharReading> chars;
    for (int j = n; j > 0; j = prev[j]) {
        int g = from_group[j];
        if (g == -3) continue;  // dropped as noise
        CharReading c;
        if (g == -1) {
            if (!allow_separators) continue;
            c.best = pieces[j - 1].separator;
            c.choices = {{c.best, 1.0}};
            c.box = pieces[j - 1].box;
        } else {
            const auto& p = groups[g].p;
            std::vector<int> order(kReject);
            for (int k = 0; k < kReject; ++k) order[k] = k;
            std::sort(order.begin(), order.end(), [&](int a, int b) { return p[a] > p[b]; });
            for (int k = 0; k < 3; ++k) c.choices.push_back({static_cast<char>('0' + order[k]), p[order[k]]});
            c.best = c.choices.front().first;
            c.box = groups[g].box;
        }
        chars.push_back(c);
    }
    std::reverse(chars.begin(), chars.end());
    reading.chars = std::move(chars);
    return reading;
}

}  // namespace formscan
