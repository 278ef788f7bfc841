#pragma once
// A printed value struck through and written anew: what `formscan print` printed in the
// cell is known (its manifest), so its ink and the strike are taken out of the cell's ink
// and what is left, the surveyor's new value, is read as any writing is. The print is
// rendered as `formscan print` sets it (pango, its font, centred in the cell, shrunk to
// fit), at the size that matches the scan best, and erased where it lies.
#include <opencv2/core.hpp>

#include <string>
#include <utility>

namespace formscan {

struct PrintInCell {
    std::string text;       // the printed value
    std::string font;       // the print's font family ("Noto Sans CJK SC")
    double px_per_mm = 0;   // of the ink below
};

// `ink`: the cell's ink (255 on 0), `strike`: the strike's ends in the ink's pixels.
// Returns the ink without the print and the strike. The print is sought at every size a
// print run may use; when no size matches well (nothing like it in the cell), only the
// strike is taken out.
cv::Mat erase_print(const cv::Mat& ink, const PrintInCell& print, std::pair<cv::Point2f, cv::Point2f> strike);

// The print alone, as it would be set at `size_mm` in a cell of `cell` pixels: its ink
// (255 on 0), cropped to it, and where in the cell it lies.
struct RenderedPrint {
    cv::Mat ink;
    cv::Rect at;
};
RenderedPrint render_print(const PrintInCell& print, double size_mm, cv::Size cell);

}  // namespace formscan
