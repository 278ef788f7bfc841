#pragma once
// Precise skew from long ruling lines. Given a coarse angle, the page is cut into thin
// vertical strips; in each strip's row profile a ruling line is a sharp peak whose
// centre is found to a fraction of a pixel. Peaks are chained across strips into
// tracks, and a straight line is fitted to each track: its slope is the skew. With a
// table's twenty-odd lines, each over a thousand pixels long, this is far finer than a
// projection search. Pure functions, safe from any thread.
#include <opencv2/core.hpp>

#include <optional>
#include <vector>

namespace formscan {

struct LineTrack {
    double a = 0, b = 0;      // along the track: y = a + b * x (image pixels)
    double x0 = 0, x1 = 0;    // extent of the fitted points
    int points = 0;
    double rms = 0;           // residual, pixels
    double angle_deg() const; // content turned counter-clockwise on screen, +
};

// Tracks of near-horizontal lines on a grey page whose skew is within a fraction of a
// degree of `coarse_deg`. `ink_level`: grey level below which a pixel is ink.
std::vector<LineTrack> horizontal_tracks(const cv::Mat& gray, double coarse_deg, double ink_level);

// The median angle of the tracks, or nothing when fewer than `min_tracks` were found.
std::optional<double> skew_from_tracks(const std::vector<LineTrack>& tracks, int min_tracks = 3);

}  // namespace formscan
