#pragma once
// Printed text with pango on a cairo context whose user space is millimetres.
#include <cairo.h>
#include <opencv2/core.hpp>

#include <string>

namespace formscan::synth {

enum class Align { left, centre };

// Draws `text` (may hold '\n') inside `box`, vertically centred. The size shrinks until
// the text fits; with `wrap` it may break into lines at the box's width.
void print_text(cairo_t* cr, const std::string& text, const std::string& font, double size_mm, const cv::Rect2d& box,
                Align align, bool wrap, bool bold = false);
// Width of one line of text at that size, in millimetres.
double measure_text(cairo_t* cr, const std::string& text, const std::string& font, double size_mm);

}  // namespace formscan::synth
