#pragma once
// The code `formscan print` puts on every page (as a QR code): which form and version,
// which batch of the district's list, which page of it, and the key of the person printed
// on each row, so a page scanned back is tied to its people whatever its orientation or
// place in the pile. Text form: "FS1;t=zj-hedui;v=1;b=BATCH;p=3;k=12,13,14".
#include <opencv2/core.hpp>

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace formscan {

struct PageCode {
    std::string template_id;
    int template_version = 1;
    std::string batch;
    int page = 0;                        // 1-based page of the batch
    std::vector<std::string> row_keys;   // per pre-printed row (one for a one-person sheet)
};

// Beside the code, `formscan print` puts a mark in each corner of the paper, for registering
// the scanned page on the printed one: a filled square kCornerMarkMm on a side,
// kCornerMarkInsetMm in from both edges.
inline constexpr double kCornerMarkMm = 5;
inline constexpr double kCornerMarkInsetMm = 5;

// The centres of the print's corner marks on a page image whose marks are about `side_px`
// on a side: per corner of the image (top left, top right, bottom right, bottom left) the
// solid square (sides within `tolerance` of side_px, at least `min_fill` inked) nearest
// it, within a quarter of the page; none where there is no such square.
std::array<std::optional<cv::Point2f>, 4> find_corner_marks(const cv::Mat& gray, double side_px, double tolerance, double min_fill);

std::string to_text(const PageCode& code);
// nullopt when the text is not a formscan page code.
std::optional<PageCode> parse_page_code(const std::string& text);

}  // namespace formscan
