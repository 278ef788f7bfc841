#pragma once
// Cleaning a cell's crop before marks are judged or text is read: binarised, ruling
// line remnants and specks removed. Pure functions, safe from any thread.
#include <opencv2/core.hpp>

namespace formscan {

// Ink of a cell (255 = ink) with ruling-line remnants along its edges and specks
// smaller than min_speck pixels removed. `on_a_line`: the value is written on a printed
// line (page header, a sheet's blanks), which is taken out also where the scan broke it
// into dashes (in a table cell, bridging gaps would join printed digits' bases instead).
cv::Mat cell_ink(const cv::Mat& page_gray, const cv::Rect& box, int min_speck = 4, bool on_a_line = false);
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
