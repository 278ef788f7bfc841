#include "formscan/digit_strings.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

namespace formscan {

namespace {

InkPiece piece_of(const cv::Mat& ink, const cv::Rect& box) {
    InkPiece p;
    p.box = box;
    p.ink = ink(box).clone();
    return p;
}

// The ink of `piece`'s columns [from, to), cropped to its bounds; none when empty.
std::optional<InkPiece> columns_of(const InkPiece& piece, int from, int to) {
    cv::Mat part = piece.ink.colRange(from, to);
    std::vector<cv::Point> pts;
    cv::findNonZero(part, pts);
    if (pts.empty()) return std::nullopt;
    cv::Rect r = cv::boundingRect(pts);
    InkPiece p;
    p.ink = part(r).clone();
    p.box = cv::Rect(piece.box.x + from + r.x, piece.box.y + r.y, r.width, r.height);
    return p;
}

// A dash written into the digit after it or before it ("2015-05-08" with the dash
// touching the 0): the columns at either end of `piece` whose ink is one thin stroke
// across the middle of the line (`top`, `height`), at least a third of a line long, are
// a '-' of their own. Returns the pieces, left to right (`piece` alone when there is none).
std::vector<InkPiece> detach_dashes(const InkPiece& piece, int top, int height) {
    const int w = piece.ink.cols;
    auto thin_middle = [&](int x) {
        int first = -1, last = -1;
        for (int y = 0; y < piece.ink.rows; ++y)
            if (piece.ink.at<unsigned char>(y, x)) {
                if (first < 0) first = y;
                last = y;
            }
        const double centre = (piece.box.y + (first + last) / 2.0 - top) / height;
        return first >= 0 && last - first + 1 <= 0.22 * height && centre > 0.3 && centre < 0.75;
    };
    int lead = 0, trail = 0;
    while (lead < w && thin_middle(lead)) ++lead;
    while (trail < w - lead && thin_middle(w - 1 - trail)) ++trail;
    const int dash = std::max(3, height / 3);
    if (lead < dash) lead = 0;
    if (trail < dash) trail = 0;
    std::optional<InkPiece> body = columns_of(piece, lead, w - trail);
    if ((lead == 0 && trail == 0) || !body || body->box.height < 0.45 * height) return {piece};
    std::vector<InkPiece> out;
    for (auto part : {lead ? columns_of(piece, 0, lead) : std::nullopt, body, trail ? columns_of(piece, w - trail, w) : std::nullopt})
        if (part) out.push_back(std::move(*part));
    if (lead) out.front().separator = '-';
    if (trail) out.back().separator = '-';
    return out;
}

// Two dots one above the other, each small beside the line's height: a colon (the
// label's, "填报日期:", when the field's box starts at it), never a digit. Joined as one
// piece, they are as tall as a small digit and read as a 1.
bool is_colon(const std::vector<cv::Rect>& parts, int height) {
    if (parts.size() != 2) return false;
    const cv::Rect& upper = parts[0].y < parts[1].y ? parts[0] : parts[1];
    const cv::Rect& lower = parts[0].y < parts[1].y ? parts[1] : parts[0];
    auto dot = [&](const cv::Rect& r) { return r.height < 0.3 * height && r.width < 0.3 * height && r.width < 2 * r.height; };
    return dot(upper) && dot(lower) && lower.y - upper.br().y > 0.1 * height;
}

int median_of(std::vector<int> v) {
    if (v.empty()) return 0;
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
}

// The rows that hold the writing: where the middle 80% of the ink lies. Specks and
// what is left of a ruled line above or below it belong to no character, and if joined
// to one they would make it look as tall as the cell.
std::pair<int, int> writing_band(const cv::Mat& labels, const cv::Mat& stats, int min_area) {
    std::vector<long> rows(static_cast<std::size_t>(labels.rows), 0);
    long total = 0;
    for (int y = 0; y < labels.rows; ++y) {
        const int* row = labels.ptr<int>(y);
        for (int x = 0; x < labels.cols; ++x)
            if (row[x] > 0 && stats.at<int>(row[x], cv::CC_STAT_AREA) >= min_area) ++rows[static_cast<std::size_t>(y)];
        total += rows[static_cast<std::size_t>(y)];
    }
    if (total == 0) return {0, labels.rows};
    int top = 0, bottom = labels.rows;
    long seen = 0;
    for (int y = 0; y < labels.rows; ++y) {
        if (seen <= total / 10 && seen + rows[static_cast<std::size_t>(y)] > total / 10) top = y;
        seen += rows[static_cast<std::size_t>(y)];
        if (seen >= total - total / 10) {
            bottom = y + 1;
            break;
        }
    }
    return {top, bottom};
}

// A thin stroke along the cell's left or right edge, nearly as tall as the cell: what
// is left of a vertical rule, not a 1.
bool is_edge_rule(const cv::Mat& stats, int i, const cv::Size& size) {
    const int x = stats.at<int>(i, cv::CC_STAT_LEFT), w = stats.at<int>(i, cv::CC_STAT_WIDTH);
    const int h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    const bool at_edge = x <= 1 || x + w >= size.width - 1;
    return at_edge && h > 0.7 * size.height && w < 0.1 * h;
}

}  // namespace

namespace {

// Cuts at the valleys of a piece's column profile: columns with little ink, far enough
// from the piece's ends and from each other.
std::vector<InkPiece> cut_at_valleys(const InkPiece& piece, int height) {
    cv::Mat columns;
    cv::reduce(piece.ink / 255, columns, 0, cv::REDUCE_SUM, CV_32S);
    const int w = piece.ink.cols;
    int top = 0;
    for (int x = 0; x < w; ++x) top = std::max(top, columns.at<int>(x));
    const int margin = std::max(2, height / 5), spacing = std::max(2, height / 4);
    std::vector<int> cuts;
    for (int x = margin; x < w - margin; ++x) {
        int v = columns.at<int>(x);
        if (v > 0.35 * top || v > columns.at<int>(x - 1) || v > columns.at<int>(x + 1)) continue;
        if (!cuts.empty() && x - cuts.back() < spacing) {
            if (v < columns.at<int>(cuts.back())) cuts.back() = x;
            continue;
        }
        cuts.push_back(x);
    }
    if (cuts.empty()) return {piece};
    std::vector<InkPiece> out;
    int from = 0;
    cuts.push_back(w);
    for (int cut : cuts) {
        if (auto part = columns_of(piece, from, cut)) out.push_back(std::move(*part));
        from = cut;
    }
    return out;
}

}  // namespace

std::vector<InkPiece> segment_digits(const cv::Mat& ink, bool over_cut, int at_least) {
    cv::Mat labels, stats, centroids;
    int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
    struct Blob {
        cv::Rect box;
        std::vector<int> ids;
        std::vector<cv::Rect> parts;  // each component's box
    };
    std::vector<Blob> blobs;
    const int min_area = std::max(4, static_cast<int>(ink.total() / 3000));
    const auto [band_top, band_bottom] = writing_band(labels, stats, min_area);
    const int slack = (band_bottom - band_top) / 5;
    for (int i = 1; i < n; ++i) {
        if (stats.at<int>(i, cv::CC_STAT_AREA) < min_area) continue;
        const int y = stats.at<int>(i, cv::CC_STAT_TOP), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
        // Above or below the writing (specks, rule remnants); a dot on the line is kept.
        if (y + h <= band_top - slack || y >= band_bottom + slack) continue;
        if (is_edge_rule(stats, i, ink.size())) continue;
        blobs.push_back({{stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                          stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT)},
                         {i},
                         {}});
        blobs.back().parts = {blobs.back().box};
    }
    if (blobs.empty()) return {};
    std::sort(blobs.begin(), blobs.end(), [](const Blob& a, const Blob& b) { return a.box.x < b.box.x; });

    // Join pieces that overlap much horizontally: parts of one broken character.
    std::vector<Blob> joined;
    for (const auto& b : blobs) {
        if (!joined.empty()) {
            Blob& last = joined.back();
            int overlap = std::min(last.box.br().x, b.box.br().x) - std::max(last.box.x, b.box.x);
            int narrower = std::min(last.box.width, b.box.width);
            if (overlap > 0.5 * narrower) {
                last.box |= b.box;
                last.ids.insert(last.ids.end(), b.ids.begin(), b.ids.end());
                last.parts.insert(last.parts.end(), b.parts.begin(), b.parts.end());
                continue;
            }
        }
        joined.push_back(b);
    }

    // The text line: where the tall pieces start and end.
    int tallest = 0;
    for (const auto& b : joined) tallest = std::max(tallest, b.box.height);
    std::vector<int> tops, bottoms, heights;
    for (const auto& b : joined)
        if (b.box.height >= 0.6 * tallest) {
            tops.push_back(b.box.y);
            bottoms.push_back(b.box.br().y);
            heights.push_back(b.box.height);
        }
    const int top = median_of(tops), bottom = median_of(bottoms);
    const int height = std::max(1, std::max(bottom - top, median_of(heights)));
    const double expected = 0.72 * height;  // a digit's usual width

    // Small pieces: a dot low on the line, a dash across its middle; anything else small
    // is a broken-off part of the character next to it.
    std::vector<Blob> merged;
    std::vector<char> kinds;
    for (std::size_t i = 0; i < joined.size(); ++i) {
        const Blob& b = joined[i];
        if (is_colon(b.parts, height)) {
            merged.push_back(b);
            kinds.push_back(':');
            continue;
        }
        if (b.box.height >= 0.45 * height) {
            merged.push_back(b);
            kinds.push_back(0);
            continue;
        }
        double centre = (b.box.y + b.box.height / 2.0 - top) / height;
        bool flat = b.box.width > 1.8 * b.box.height && b.box.width > 0.2 * height;
        bool small = b.box.width < 0.4 * height;
        if (small && centre > 0.62) {
            merged.push_back(b);
            kinds.push_back('.');
            continue;
        }
        if (flat && centre > 0.25 && centre < 0.75 && b.box.width < 1.2 * height) {
            merged.push_back(b);
            kinds.push_back('-');
            continue;
        }
        // Join the nearest character on either side, if the result is no wider than a digit.
        auto gap = [&](const cv::Rect& r) {
            return std::max(0, std::max(r.x - b.box.br().x, b.box.x - r.br().x));
        };
        int best = -1;
        int best_gap = static_cast<int>(0.5 * height);
        if (!merged.empty() && kinds.back() == 0 && gap(merged.back().box) <= best_gap &&
            (merged.back().box | b.box).width <= 1.25 * expected) {
            best = static_cast<int>(merged.size()) - 1;
            best_gap = gap(merged.back().box);
        }
        if (i + 1 < joined.size() && joined[i + 1].box.height >= 0.45 * height && gap(joined[i + 1].box) < best_gap &&
            (joined[i + 1].box | b.box).width <= 1.25 * expected) {
            Blob next = joined[i + 1];
            next.box |= b.box;
            next.ids.insert(next.ids.end(), b.ids.begin(), b.ids.end());
            joined[i + 1] = next;
            continue;
        }
        if (best >= 0) {
            merged[best].box |= b.box;
            merged[best].ids.insert(merged[best].ids.end(), b.ids.begin(), b.ids.end());
            continue;
        }
        merged.push_back(b);
        kinds.push_back(0);
    }

    std::vector<InkPiece> pieces;
    std::vector<bool> from_valleys;  // a part of an over-cut piece (which may be cut evenly below)
    for (std::size_t i = 0; i < merged.size(); ++i) {
        const Blob& b = merged[i];
        cv::Mat own = cv::Mat::zeros(ink.size(), CV_8UC1);
        for (int id : b.ids) own.setTo(255, labels == id);
        InkPiece whole = piece_of(own, b.box);
        whole.separator = kinds[i];
        for (auto& p : whole.separator ? std::vector<InkPiece>{whole} : detach_dashes(whole, top, height)) {
            if (p.separator) {
                pieces.push_back(std::move(p));
                from_valleys.push_back(false);
                continue;
            }
            if (over_cut && p.box.width > 0.6 * height) {
                for (auto& part : cut_at_valleys(p, height)) {
                    pieces.push_back(std::move(part));
                    from_valleys.push_back(true);
                }
                continue;
            }
            // Touching digits make a piece much wider than one digit.
            const int count = static_cast<int>(std::lround(p.box.width / expected));
            if (p.box.width > 1.35 * expected && count >= 2) {
                for (auto& part : split_piece(p, count)) pieces.push_back(std::move(part));
            } else {
                pieces.push_back(std::move(p));
            }
            from_valleys.resize(pieces.size(), false);
        }
    }
    // Fewer characters (pieces as tall as digits) than the field must hold: touching
    // digits need not leave a valley between them, so a part still wider than 1.2 digits
    // is also cut evenly. Only then: a wide digit cut in two can read as two digits as
    // surely as a pair does (digits written large and roomy on the 登记表).
    const auto characters = std::count_if(pieces.begin(), pieces.end(), [&](const InkPiece& p) {
        return p.separator == 0 && p.box.height >= 0.7 * height;
    });
    if (characters >= at_least) return pieces;
    std::vector<InkPiece> cut;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        if (from_valleys[i] && pieces[i].box.width > 1.2 * expected) {
            const int parts = std::max(2, static_cast<int>(std::lround(pieces[i].box.width / expected)));
            auto parted = split_piece(pieces[i], parts);
            for (std::size_t k = 1; k < parted.size(); ++k) parted[k].guessed_cut = true;
            for (auto& part : parted) cut.push_back(std::move(part));
        } else {
            cut.push_back(std::move(pieces[i]));
        }
    }
    return cut;
}

std::vector<InkPiece> split_piece(const InkPiece& piece, int parts) {
    cv::Mat columns;
    cv::reduce(piece.ink / 255, columns, 0, cv::REDUCE_SUM, CV_32S);
    std::vector<int> cuts = {0};
    const int w = piece.ink.cols;
    for (int k = 1; k < parts; ++k) {
        int ideal = w * k / parts, reach = std::max(1, w / (3 * parts));
        int best = ideal;
        for (int x = std::max(1, ideal - reach); x <= std::min(w - 2, ideal + reach); ++x)
            if (columns.at<int>(x) < columns.at<int>(best)) best = x;
        cuts.push_back(best);
    }
    cuts.push_back(w);
    std::vector<InkPiece> out;
    for (std::size_t k = 0; k + 1 < cuts.size(); ++k)
        if (cuts[k + 1] > cuts[k])
            if (auto part = columns_of(piece, cuts[k], cuts[k + 1])) out.push_back(std::move(*part));
    return out;
}

cv::Mat normalise_digit(const cv::Mat& ink) {
    cv::Mat out = cv::Mat::zeros(28, 28, CV_8UC1);
    std::vector<cv::Point> pts;
    cv::findNonZero(ink, pts);
    if (pts.empty()) return out;
    cv::Rect r = cv::boundingRect(pts);
    cv::Mat crop = ink(r);
    double scale = 20.0 / std::max(r.width, r.height);
    int w = std::max(1, static_cast<int>(std::lround(r.width * scale)));
    int h = std::max(1, static_cast<int>(std::lround(r.height * scale)));
    cv::Mat small;
    cv::resize(crop, small, cv::Size(w, h), 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    cv::Moments m = cv::moments(small, false);
    double cx = m.m00 > 0 ? m.m10 / m.m00 : w / 2.0, cy = m.m00 > 0 ? m.m01 / m.m00 : h / 2.0;
    int x0 = std::clamp(static_cast<int>(std::lround(14 - cx)), 0, 28 - w);
    int y0 = std::clamp(static_cast<int>(std::lround(14 - cy)), 0, 28 - h);
    small.copyTo(out(cv::Rect(x0, y0, w, h)));
    return out;
}

DigitInk digit_cell_ink(const cv::Mat& page_gray, const cv::Rect& box, Surround around, int enlarge_below) {
    const cv::Rect inside = box & cv::Rect(0, 0, page_gray.cols, page_gray.rows);
    if (inside.area() == 0) return {cv::Mat::zeros(1, 1, CV_8UC1), cv::Mat::zeros(1, 1, CV_8UC1)};
    cv::Mat grey = page_gray(inside);
    int min_speck = 4;
    if (box.height < enlarge_below) {
        cv::resize(grey, grey, cv::Size(), 2, 2, cv::INTER_CUBIC);
        min_speck = 12;
    }
    DigitInk out;
    out.ink = cell_ink(grey, cv::Rect(0, 0, grey.cols, grey.rows), min_speck, around);
    out.shade = ink_shade(grey, out.ink);
    return out;
}

cv::Mat ink_shade(const cv::Mat& grey, const cv::Mat& ink) {
    cv::Mat shade = cv::Mat::zeros(grey.size(), CV_8UC1);
    if (ink.size() != grey.size() || cv::countNonZero(ink) == 0) return shade;
    // Paper: the bright majority of the cell; a stroke's core: the middle of the ink.
    std::vector<unsigned char> all(grey.begin<unsigned char>(), grey.end<unsigned char>()), inked;
    std::nth_element(all.begin(), all.begin() + all.size() * 3 / 4, all.end());
    const double paper = all[all.size() * 3 / 4];
    for (int y = 0; y < grey.rows; ++y)
        for (int x = 0; x < grey.cols; ++x)
            if (ink.at<unsigned char>(y, x)) inked.push_back(grey.at<unsigned char>(y, x));
    std::nth_element(inked.begin(), inked.begin() + inked.size() / 2, inked.end());
    const double span = std::max(20.0, paper - inked[inked.size() / 2]);
    grey.convertTo(shade, CV_8U, -255.0 / span, paper * 255.0 / span);  // saturates: paper and brighter are 0
    cv::threshold(shade, shade, 25, 255, cv::THRESH_TOZERO);             // the scanner's noise on the paper
    return shade;
}

cv::Mat digit_crop(const cv::Mat& ink, const cv::Rect& box, const cv::Mat& shade) {
    if (shade.empty()) return normalise_digit(ink);
    const cv::Rect area = cv::Rect(box.x - 1, box.y - 1, box.width + 2, box.height + 2) & cv::Rect(0, 0, shade.cols, shade.rows);
    cv::Mat near = cv::Mat::zeros(area.size(), CV_8UC1);
    ink.copyTo(near(box - area.tl()));
    cv::dilate(near, near, cv::Mat::ones(3, 3, CV_8UC1));
    cv::Mat grey;
    cv::bitwise_and(shade(area), near, grey);
    return normalise_digit(grey);
}

}  // namespace formscan
