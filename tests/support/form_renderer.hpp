#pragma once
// Renders filled forms with known ground truth, in millimetres on any cairo surface
// (an image for synthetic scans; a PDF surface for printing). Every page draws a new
// print-run layout: column widths, row heights and count, margins, fonts, header line
// breaks.
#include "formscan/field.hpp"
#include "formscan/form_template.hpp"
#include "people.hpp"
#include "synth_data.hpp"

#include <cairo.h>
#include <opencv2/core.hpp>

#include <functional>
#include <random>
#include <string>
#include <vector>

namespace formscan::synth {

struct RenderOptions {
    std::vector<std::string> fonts = {"Noto Sans CJK SC", "Noto Serif CJK SC", "AR PL UMing CN", "AR PL UKai CN",
                                      "WenQuanYi Micro Hei", "WenQuanYi Zen Hei"};
    DigitSplit digits = DigitSplit::train;
    int min_rows = 5, max_rows = 20;
    double handwriting = 1.0;  // scales the share of hand-filled cells (0 = all printed)
    // Printing (formscan print): these people on the rows, in order, instead of random
    // ones; only what the district's databases know is printed, the rest left to fill in.
    const std::vector<Person>* people = nullptr;
    // When set, drawn as a QR code at the page's top left, with a mark in every corner.
    std::string page_code;
    // Filling in a printed page (with `people`): what the surveyor learnt at the door, one
    // person per listed person, in order. What was not printed is written in by hand; a
    // printed value that differs is struck through and written anew (truth class
    // "corrected"). The filling draws from its own seed, so the layout stays the print's.
    const std::vector<Person>* answers = nullptr;
    unsigned fill_seed = 1;
};

// The QR code and the four corner marks of a printed page (millimetres).
void draw_page_marks(cairo_t* cr, double width_mm, double height_mm, const std::string& code);

// Ground truth: records as the contract writes them, each field's reading class
// ("printed", "handwritten", "mark", "empty") in Field::reader.
struct PageTruth {
    std::vector<Record> records;
    double width_mm = 0, height_mm = 0;
};

// Draws one page onto `cr`, whose user space must be millimetres with (0,0) at the
// page's top-left corner, on a white page.
PageTruth draw_form(cairo_t* cr, const FormTemplate& form, const SynthData& data, const RenderOptions& options,
                    std::mt19937& rng);

PageTruth draw_dengji(cairo_t* cr, const FormTemplate& form, const SynthData& data, const RenderOptions& options,
                      std::mt19937& rng);

// Renders what `draw` draws (user space millimetres, a white page) to an 8-bit grey image at `dpi`.
cv::Mat render_page(double width_mm, double height_mm, double dpi, const std::function<void(cairo_t*)>& draw);

// Renders a page to an 8-bit grey image at `dpi`.
cv::Mat render_form(const FormTemplate& form, const SynthData& data, const RenderOptions& options, double dpi,
                    std::mt19937& rng, PageTruth& truth);

}  // namespace formscan::synth
