#include "line_tracks.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace formscan {

namespace {

struct Peak {
    double y;      // sub-pixel centre
    float height;  // profile value at the peak
};

// Row profile of darkness in one strip.
std::vector<float> strip_profile(const cv::Mat& gray, int x0, int x1, double ink_level) {
    std::vector<float> profile(gray.rows, 0.0f);
    for (int y = 0; y < gray.rows; ++y) {
        const unsigned char* row = gray.ptr<unsigned char>(y);
        float sum = 0;
        for (int x = x0; x < x1; ++x) {
            float d = static_cast<float>(ink_level) - row[x];
            if (d > 0) sum += d;
        }
        profile[y] = sum;
    }
    return profile;
}

std::vector<Peak> find_peaks(const std::vector<float>& p, float min_height) {
    std::vector<Peak> peaks;
    const int n = static_cast<int>(p.size());
    for (int y = 2; y < n - 2; ++y) {
        if (p[y] < min_height || p[y] < p[y - 1] || p[y] < p[y + 1]) continue;
        if (p[y] == p[y - 1] && y > 2 && p[y - 1] >= p[y - 2]) continue;  // plateau: take its first row once
        // Centre of mass over the peak's rows (a line is a few pixels thick).
        int lo = y, hi = y;
        while (lo > 0 && p[lo - 1] > 0.3f * p[y] && y - lo < 6) --lo;
        while (hi < n - 1 && p[hi + 1] > 0.3f * p[y] && hi - y < 6) ++hi;
        double w = 0, m = 0;
        for (int k = lo; k <= hi; ++k) {
            w += p[k];
            m += p[k] * k;
        }
        peaks.push_back({m / w, p[y]});
        y = hi;
    }
    return peaks;
}

struct Fit {
    double a = 0, b = 0, rms = 0;
};

Fit fit_line(const std::vector<cv::Point2d>& pts) {
    double n = static_cast<double>(pts.size()), sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const auto& p : pts) {
        sx += p.x;
        sy += p.y;
        sxx += p.x * p.x;
        sxy += p.x * p.y;
    }
    Fit f;
    double den = n * sxx - sx * sx;
    if (std::abs(den) < 1e-9) return f;
    f.b = (n * sxy - sx * sy) / den;
    f.a = (sy - f.b * sx) / n;
    double ss = 0;
    for (const auto& p : pts) ss += std::pow(p.y - (f.a + f.b * p.x), 2);
    f.rms = std::sqrt(ss / n);
    return f;
}

}  // namespace

double LineTrack::angle_deg() const { return -std::atan(b) * 180.0 / CV_PI; }

std::vector<LineTrack> horizontal_tracks(const cv::Mat& gray, double coarse_deg, double ink_level) {
    CV_Assert(gray.type() == CV_8UC1);
    const int strips = 48;
    const int width = std::max(4, gray.cols / 300);
    std::vector<double> centres;
    std::vector<std::vector<Peak>> peaks(strips);
    float top = 0;
    std::vector<std::vector<float>> profiles(strips);
    for (int s = 0; s < strips; ++s) {
        int cx = static_cast<int>(gray.cols * (0.03 + 0.94 * s / (strips - 1.0)));
        int x0 = std::clamp(cx - width / 2, 0, gray.cols - width);
        centres.push_back(x0 + width / 2.0);
        profiles[s] = strip_profile(gray, x0, x0 + width, ink_level);
        top = std::max(top, *std::max_element(profiles[s].begin(), profiles[s].end()));
    }
    // A ruling line darkens the whole strip width; a character's stroke rarely does, and
    // what does is not straight across many strips, which the tracking below requires.
    for (int s = 0; s < strips; ++s) peaks[s] = find_peaks(profiles[s], 0.25f * top);

    const double slope0 = -std::tan(coarse_deg * CV_PI / 180.0);
    const double window = std::max(2.5, gray.rows / 1000.0);
    std::vector<std::vector<bool>> used(strips);
    for (int s = 0; s < strips; ++s) used[s].assign(peaks[s].size(), false);

    std::vector<LineTrack> tracks;
    const int seed = strips / 2;
    for (std::size_t i = 0; i < peaks[seed].size(); ++i) {
        if (used[seed][i]) continue;
        std::vector<cv::Point2d> pts = {{centres[seed], peaks[seed][i].y}};
        std::vector<std::pair<int, std::size_t>> taken = {{seed, i}};
        // Walk outwards both ways, predicting from what has been fitted so far.
        for (int dir : {1, -1}) {
            int misses = 0;
            cv::Point2d last = pts[0];
            for (int s = seed + dir; s >= 0 && s < strips && misses < 4; s += dir) {
                // Predict from the fit so far; until a few points are in, the coarse slope
                // may be off (a perspective warp bends columns by a degree or so), so the
                // window grows with the distance from the last point found.
                double slope = slope0;
                double a = last.y - slope0 * last.x;
                if (pts.size() >= 3) {
                    Fit f = fit_line(pts);
                    slope = f.b;
                    a = f.a;
                }
                double predicted = a + slope * centres[s];
                double reach = std::abs(centres[s] - last.x) * (pts.size() >= 6 ? 0.004 : 0.025);
                int best = -1;
                double best_d = window + reach;
                for (std::size_t k = 0; k < peaks[s].size(); ++k) {
                    double d = std::abs(peaks[s][k].y - predicted);
                    if (d < best_d && !used[s][k]) best_d = d, best = static_cast<int>(k);
                }
                if (best < 0) {
                    ++misses;
                    continue;
                }
                misses = 0;
                last = {centres[s], peaks[s][best].y};
                pts.push_back(last);
                taken.push_back({s, static_cast<std::size_t>(best)});
            }
        }
        if (static_cast<int>(pts.size()) < strips / 3) continue;
        // Robust fit: drop points where writing crosses the line, then fit again.
        Fit f = fit_line(pts);
        std::vector<cv::Point2d> kept;
        for (const auto& p : pts)
            if (std::abs(p.y - (f.a + f.b * p.x)) <= std::max(0.6, 2.5 * f.rms)) kept.push_back(p);
        if (static_cast<int>(kept.size()) < strips / 3) continue;
        f = fit_line(kept);
        for (const auto& [s, k] : taken) used[s][k] = true;
        LineTrack t;
        t.a = f.a;
        t.b = f.b;
        t.rms = f.rms;
        t.points = static_cast<int>(kept.size());
        t.x0 = kept.front().x;
        t.x1 = kept.front().x;
        for (const auto& p : kept) t.x0 = std::min(t.x0, p.x), t.x1 = std::max(t.x1, p.x);
        if (t.x1 - t.x0 < gray.cols * 0.3 || t.rms > 1.0) continue;
        tracks.push_back(t);
    }
    return tracks;
}

std::optional<double> skew_from_tracks(const std::vector<LineTrack>& tracks, int min_tracks) {
    if (static_cast<int>(tracks.size()) < min_tracks) return std::nullopt;
    std::vector<double> angles;
    for (const auto& t : tracks) angles.push_back(t.angle_deg());
    std::sort(angles.begin(), angles.end());
    // Mean of the middle half: as robust as the median, less noisy.
    std::size_t q = angles.size() / 4;
    double sum = 0;
    for (std::size_t i = q; i < angles.size() - q; ++i) sum += angles[i];
    return sum / double(angles.size() - 2 * q);
}

}  // namespace formscan
