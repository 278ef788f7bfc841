#include "digit_reader.hpp"

#include "formscan/digit_strings.hpp"
#include "formscan/error.hpp"

#include <Poco/StringTokenizer.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

namespace formscan {

namespace {
constexpr int kReject = 10;
constexpr int kTick = 11;  // models trained before the tick class have ticks in kReject
constexpr int kMaxGroup = 4;  // pieces one character may be broken (or cut) into

// The cell's ink without the thin pieces along its left and right sides: what a broken
// rule leaves at the very edge (dashes of it, as on 1-bit pages). Counted in, they made
// the whole writing as wide as the cell, and a printed 5 beside them read as a tick.
cv::Mat without_edge_dashes(const cv::Mat& ink) {
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
    cv::Mat out = ink.clone();
    for (int i = 1; i < n; ++i) {
        const int x = stats.at<int>(i, cv::CC_STAT_LEFT), w = stats.at<int>(i, cv::CC_STAT_WIDTH);
        if (w <= 3 && (x <= 1 || x + w >= ink.cols - 1)) out.setTo(0, labels == i);
    }
    return out;
}
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

DigitReader::DigitReader(const std::vector<std::string>& model_paths, double consult_below) : consult_below_(consult_below) {
    if (model_paths.empty()) throw Error("formscan.digits.model", "no digit recogniser given");
    for (const auto& path : model_paths) {
        cv::dnn::Net net;
        try {
            net = cv::dnn::readNetFromONNX(path);
        } catch (const cv::Exception& e) {
            throw Error("formscan.digits.model", "cannot load the digit recogniser " + path + ": " + e.what());
        }
        if (net.empty()) throw Error("formscan.digits.model", "cannot load the digit recogniser " + path);
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        nets_.push_back(std::move(net));
    }
}

std::vector<std::string> DigitReader::model_files(const std::string& list, const std::string& folder) {
    std::vector<std::string> files;
    for (const auto& name : Poco::StringTokenizer(list, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY)) {
        const std::filesystem::path file = name;
        files.push_back((file.is_relative() && !folder.empty() ? std::filesystem::path(folder) / file : file).string());
    }
    return files;
}

Probabilities DigitReader::classify(const std::vector<cv::Mat>& crops) {
    if (crops.empty()) return {};
    Probabilities out = softmax(nets_.front(), crops);
    if (nets_.size() == 1) return out;
    // The other models are consulted on the crops the first is not sure of; there the
    // probabilities are the mean of all models' (most crops are sure, and the models
    // take nearly all of the stage's time).
    std::vector<std::size_t> unsure;
    std::vector<cv::Mat> doubtful;
    for (std::size_t i = 0; i < out.size(); ++i)
        if (*std::max_element(out[i].begin(), out[i].end()) < consult_below_) {
            unsure.push_back(i);
            doubtful.push_back(crops[i]);
        }
    if (unsure.empty()) return out;
    const float n = static_cast<float>(nets_.size());
    for (std::size_t i : unsure)
        for (float& v : out[i]) v /= n;
    for (std::size_t m = 1; m < nets_.size(); ++m) {
        const Probabilities other = softmax(nets_[m], doubtful);
        for (std::size_t j = 0; j < unsure.size(); ++j)
            for (std::size_t k = 0; k < other[j].size(); ++k) out[unsure[j]][k] += other[j][k] / n;
    }
    return out;
}

Probabilities DigitReader::softmax(cv::dnn::Net& net, const std::vector<cv::Mat>& crops) {
    // In batches of one size, the last filled up with copies of its last crop: a page's
    // thousands of crops in one batch made the network allocate (and the kernel fault in)
    // hundreds of megabytes of layer buffers on every page; one batch size lets it keep them.
    Probabilities out;
    out.reserve(crops.size());
    std::vector<cv::Mat> batch;
    for (std::size_t from = 0; from < crops.size(); from += kBatch) {
        const std::size_t count = std::min(kBatch, crops.size() - from);
        batch.assign(crops.begin() + static_cast<long>(from), crops.begin() + static_cast<long>(from + count));
        batch.resize(kBatch, batch.back());
        net.setInput(cv::dnn::blobFromImages(batch, 1.0 / 255.0, cv::Size(28, 28), cv::Scalar(), false, false, CV_32F));
        const cv::Mat logits = net.forward();
        for (int i = 0; i < static_cast<int>(count); ++i) {
            const float* row = logits.ptr<float>(i);
            const float top = *std::max_element(row, row + logits.cols);
            std::vector<float> p(logits.cols);
            float sum = 0;
            for (int k = 0; k < logits.cols; ++k) sum += p[k] = std::exp(row[k] - top);
            for (float& v : p) v /= sum;
            out.push_back(std::move(p));
        }
    }
    return out;
}

CutCell DigitReader::cut(const DigitInk& writing, std::vector<cv::Mat>& crops, bool whole, int at_least) {
    CutCell cell;
    const cv::Mat& ink = writing.ink;
    if (whole) {
        const cv::Mat inner = without_edge_dashes(ink);
        std::vector<cv::Point> points;
        cv::findNonZero(inner, points);
        cv::Rect box = points.empty() ? cv::Rect() : cv::boundingRect(points);
        if (box.area() > 0 && box.width <= 2 * box.height) {  // a tick is about as wide as tall
            cell.whole = static_cast<int>(crops.size());
            crops.push_back(digit_crop(inner(box), box, writing.shade));
        }
    }
    // Over-cut: the segmenter's pieces, with wide ones already split; the search in
    // decode() may join neighbours again.
    cell.pieces = segment_digits(ink, true, at_least);
    const auto& pieces = cell.pieces;
    const int n = static_cast<int>(pieces.size());
    // Every candidate group of 1..kMaxGroup neighbouring pieces.
    int tallest = 1;
    for (const auto& piece : pieces) tallest = std::max(tallest, piece.box.height);
    // A piece taken for a separator may also be part of a digit (the top bar of a 5 come
    // apart reads as a dash), so groups may hold one, except where separators are read
    // (dates); alone it is only a separator.
    for (int i = 0; i < n; ++i) {
        cv::Rect box = pieces[i].box;
        for (int j = i + 1; j <= std::min(n, i + kMaxGroup); ++j) {
            box |= pieces[j - 1].box;
            if (j - i > 1 && box.width > 1.3 * tallest) break;  // too wide for one character
            if (j - i == 1 && pieces[i].separator) continue;
            cv::Mat canvas = cv::Mat::zeros(box.size(), CV_8UC1);
            for (int k = i; k < j; ++k) {
                cv::Rect r = pieces[k].box - box.tl();
                canvas(r) |= pieces[k].ink;
            }
            const bool separator =
                std::any_of(pieces.begin() + i, pieces.begin() + j, [](const InkPiece& p) { return p.separator != 0; });
            cell.groups.push_back({i, j, box, static_cast<int>(crops.size()), separator});
            crops.push_back(digit_crop(canvas, box, writing.shade));
        }
    }
    return cell;
}

double DigitReader::tick_probability(const CutCell& cell, const Probabilities& probs) {
    if (cell.whole < 0) return 0;
    const auto& p = probs[static_cast<std::size_t>(cell.whole)];
    return p.size() > kTick ? p[kTick] : p[kReject];
}

DigitReadings DigitReader::decode(const CutCell& cell, const Probabilities& probs, bool allow_separators,
                                  const std::vector<int>& lengths) {
    const auto& pieces = cell.pieces;
    const auto& groups = cell.groups;
    const int n = static_cast<int>(pieces.size());
    if (n == 0) return {};
    auto p_of = [&](std::size_t g) -> const std::vector<float>& { return probs[static_cast<std::size_t>(groups[g].crop)]; };

    // Best path through the pieces: each step reads a group as one digit, keeps a
    // separator, or drops a piece as noise (at a cost). The state also counts digits,
    // so that a field of known length can ask for exactly that many.
    const double kDropCost = std::log(0.02);
    const double kDigitBonus = 0.5;  // without it, merging two digits always looks cheaper
    const double kGuessedCut = 0.5;  // a character starting at an even cut (segment_digits) rather than a gap or valley
    const int max_digits = n + 1;
    const double minus_inf = -std::numeric_limits<double>::infinity();
    struct Cell {
        double score;
        int group;  // -1 separator, -3 dropped, >= 0 group index
        int prev_i, prev_k;
    };
    std::vector<std::vector<Cell>> best(n + 1, std::vector<Cell>(max_digits + 1, {minus_inf, -2, -1, -1}));
    best[0][0].score = 0;
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k <= max_digits; ++k) {
            double here = best[i][k].score;
            if (!std::isfinite(here)) continue;
            auto relax = [&](int j, int kk, double score, int group) {
                if (kk <= max_digits && score > best[j][kk].score) best[j][kk] = {score, group, i, k};
            };
            if (pieces[i].separator)
                relax(i + 1, k, here + (allow_separators ? 0.0 : kDropCost * 0.5), -1);
            else
                relax(i + 1, k, here + kDropCost, -3);
            for (std::size_t g = 0; g < groups.size(); ++g) {
                if (groups[g].from != i || (allow_separators && groups[g].holds_separator)) continue;
                double digit = *std::max_element(p_of(g).begin(), p_of(g).begin() + kReject);
                const double guessed = pieces[i].guessed_cut ? kGuessedCut : 0.0;
                relax(groups[g].to, k + 1, here + std::log(std::max(1e-9, digit)) + kDigitBonus - guessed, static_cast<int>(g));
            }
        }
    }
    // The best end state: of a wanted length when one is reachable, else any.
    int end_k = -1;
    for (int pass = 0; pass < 2 && end_k < 0; ++pass)
        for (int k = 0; k <= max_digits; ++k) {
            bool wanted = lengths.empty() || pass == 1 || std::find(lengths.begin(), lengths.end(), k) != lengths.end();
            if (wanted && std::isfinite(best[n][k].score) && (end_k < 0 || best[n][k].score > best[n][end_k].score)) end_k = k;
        }
    DigitReadings all;
    for (int k = 0; k <= max_digits; ++k) {
        if (!std::isfinite(best[n][k].score) || k == 0) continue;
        DigitReading r;
        for (int j = n, kk = k; j > 0 && kk >= 0;) {
            const Cell& cell = best[j][kk];
            int g = cell.group;
            if (g == -1 && allow_separators) {
                CharReading c;
                c.best = pieces[j - 1].separator;
                c.choices = {{c.best, 1.0}};
                c.box = pieces[j - 1].box;
                r.chars.push_back(c);
            } else if (g >= 0) {
                CharReading c;
                const auto& p = p_of(static_cast<std::size_t>(g));
                std::vector<int> order(kReject);
                for (int d = 0; d < kReject; ++d) order[d] = d;
                std::sort(order.begin(), order.end(), [&](int a, int b) { return p[a] > p[b]; });
                for (int d = 0; d < 3; ++d) c.choices.push_back({static_cast<char>('0' + order[d]), p[order[d]]});
                c.best = c.choices.front().first;
                c.box = groups[g].box;
                r.chars.push_back(c);
            }
            j = cell.prev_i;
            kk = cell.prev_k;
        }
        std::reverse(r.chars.begin(), r.chars.end());
        // A separator before the first digit or after the last belongs to no value (the
        // label's colon, a dash drawn after the date).
        auto is_separator = [](const CharReading& c) { return c.best < '0' || c.best > '9'; };
        while (!r.chars.empty() && is_separator(r.chars.back())) r.chars.pop_back();
        while (!r.chars.empty() && is_separator(r.chars.front())) r.chars.erase(r.chars.begin());
        r.score = best[n][k].score;
        if (k == end_k) all.best = static_cast<int>(all.by_length.size());
        all.by_length.push_back(std::move(r));
    }
    return all;
}

}  // namespace formscan
