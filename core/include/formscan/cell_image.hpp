#pragma once
// Cleaning a cell's crop before marks are judged or text is read: binarised, ruling
// line remnants and specks removed. Pure functions, safe from any thread.
#include "formscan/form_template.hpp"

#include <opencv2/core.hpp>

namespace formscan {

// What surrounds a cell's box on the page, which says what ink along its edges is.
enum class Surround {
    ruled_cell,    // a table cell: ruling lines on every side, whose remnants hug the edges
    blank_line,    // a sheet's blank: written on a printed line, maybe ruled at the sides
    header_value,  // a value in the page header's line of text: a printed line under it at most,
                   // nothing at its sides, so upright strokes there are writing (the box starts
                   // at the label's colon and the first digit written after it)
};
// Where fields of a placement are written.
Surround surround_of(Placement placement);

// Ink of a cell (255 = ink) with ruling-line remnants along its edges and specks
// smaller than min_speck pixels removed. A value written on a printed line (page header,
// a sheet's blanks) has the line taken out also where the scan broke it into dashes (in
// a table cell, bridging gaps would join printed digits' bases instead).
cv::Mat cell_ink(const cv::Mat& page_gray, const cv::Rect& box, int min_speck = 4, Surround around = Surround::ruled_cell);
// The ink without the dots or dashes of a dotted rule that a box taken a little askew
// reaches into: a row of three or more small pieces (at most an eighth of the box tall,
// three pixels at least) across half the box or more, each wholly within `margin` (a
// share of the box's height) of its top or bottom. A broken character's pieces stay: they
// are few at any one height.
cv::Mat without_dotted_rules(cv::Mat ink, double margin);
double ink_share(const cv::Mat& ink);
// Bounding box of the ink, or an empty rect.
cv::Rect ink_bounds(const cv::Mat& ink);
// The cell prepared for OCR, in grey rather than thresholded (thin, light strokes
// survive): the cell's grey levels stretched between its ink and
// its paper, everything away from the cleaned ink painted white, cropped to the ink and
// scaled smoothly so the ink is `target_height` pixels tall, then sharpened by an
// unsharp mask of strength `sharpen` (0 = none; blurred scans read far better with it).
cv::Mat grey_for_ocr(const cv::Mat& page_gray, const cv::Rect& box, const cv::Mat& ink, int target_height,
                     double sharpen = 0.8, double max_scale = 4.0, int pad = 10);

}  // namespace formscan
