#pragma once
// Hand-like writing drawn with cairo in the caller's user space (the form renderer
// works in millimetres): MNIST digits, Chinese characters stroked along hanzi-writer
// medians, ticks and signatures. Every call draws with its own random jitter.
#include "synth_data.hpp"

#include <cairo.h>
#include <opencv2/core.hpp>

#include <random>
#include <string>

namespace formscan::synth {

// One writer's habits, kept for a whole row or page so that a person's hand is consistent.
struct Hand {
    double ink = 0.1;         // grey level of the ink, 0 = black
    double pen = 0.08;        // pen width as a share of character height
    double slant = 0;         // radians
    double spacing = 1.0;     // advance as a share of character width
    static Hand random(std::mt19937& rng);
};

// Draws digits ('0'-'9', '.', '-', '/') left-aligned in `box`; returns the width used.
double draw_digits(cairo_t* cr, const MnistDigits& digits, DigitSplit split, const std::string& text,
                   const cv::Rect2d& box, const Hand& hand, std::mt19937& rng);
// Draws Chinese text (characters without medians are skipped) in `box`, wrapping
// to a second line when it does not fit in one.
void draw_hanzi(cairo_t* cr, const HanziMedians& hanzi, const std::string& text, const cv::Rect2d& box,
                const Hand& hand, std::mt19937& rng, double messiness = 1.0);
void draw_tick(cairo_t* cr, const cv::Rect2d& box, const Hand& hand, std::mt19937& rng);
void draw_cross(cairo_t* cr, const cv::Rect2d& box, const Hand& hand, std::mt19937& rng);
void draw_signature(cairo_t* cr, const HanziMedians& hanzi, const std::string& name, const cv::Rect2d& box,
                    const Hand& hand, std::mt19937& rng);

}  // namespace formscan::synth
