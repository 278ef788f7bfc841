#pragma once
// What scanners, fax machines and phone cameras do to a page: skew, quarter turns,
// slight perspective, dark borders, blur, noise, uneven paper.
#include <opencv2/core.hpp>

#include <random>

namespace formscan::synth {

struct DamageOptions {
    bool enabled = true;
    double max_skew_deg = 10;
    double turn_probability = 0.2;        // 90/180/270 (90 and 270 only when `quarter_turns`)
    bool quarter_turns = true;
    double perspective_probability = 0.25;
    double perspective_max = 0.012;       // corner shift as a share of the page size
    double dark_border_probability = 0.4;
    double blur_max = 1.1;                // Gaussian sigma, pixels
    double noise_max = 9;                 // Gaussian noise sd, grey levels
};

struct DamagedScan {
    cv::Mat gray;
    double skew_deg = 0;        // content turned counter-clockwise on screen, + (truth)
    int orientation_deg = 0;    // counter-clockwise turn that undoes the quarter turn
    bool perspective = false;
};

DamagedScan damage_scan(const cv::Mat& page, const DamageOptions& options, std::mt19937& rng);

}  // namespace formscan::synth
