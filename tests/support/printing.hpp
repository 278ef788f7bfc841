#pragma once
// Printed text with pango on a cairo context whose user space is millimetres.
#include "formscan/pango_handles.hpp"

#include <cairo.h>
#include <opencv2/core.hpp>

#include <string>

namespace formscan::synth {

// print_text and Align: formscan/pango_handles.hpp (the print eraser renders values with them too).
using formscan::Align;
using formscan::print_text;

// Width of one line of text at that size, in millimetres.
double measure_text(cairo_t* cr, const std::string& text, const std::string& font, double size_mm);

}  // namespace formscan::synth
