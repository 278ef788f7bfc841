#pragma once
// The page being read: created by the batch runner from a decoded scan, then
// changed in place by each stage in order. Owned by one worker thread at a time.
#include <opencv2/core.hpp>
#include <map>
#include <string>
#include <vector>

namespace formscan {

struct Issue {
    std::string stage;    // e.g. "table_grid"
    std::string code;     // stable, e.g. "grid.column_count"
    std::string message;  // for people; personal data masked
};

// Where one field of one record sits on the straightened page.
struct FieldCell {
    int row = 0;          // 1-based data row on table forms, 0 on one-person forms
    std::string key;      // template field key
    cv::Rect box;         // in straightened-page pixels
};

struct Page {
    std::string source;        // input path as given (or found under a given folder)
    int index = 0;             // 0-based page within the source file
    double dpi = 0;            // from the file, or estimated from the form's size
    bool dpi_from_file = false;
    cv::Mat image;             // 8-bit grey, replaced by preparation stages (straightened)
    double skew_deg = 0;       // measured skew, + when content is turned counter-clockwise
    int orientation_deg = 0;   // coarse turn that was undone: 0, 90, 180 or 270
    cv::Mat to_scan;           // 3x3 homography, straightened page -> scan pixels (CV_64F)
    cv::Rect table;            // outer frame of the table, when a stage found it
    int data_rows = 0;         // data rows found on a table form
    cv::Rect number_row;       // the table's row of column numbers (above the data rows), when found
    std::vector<FieldCell> cells;
    std::string code;          // the printed page code (QR) as read, "" when none (see page_code.hpp)
    std::vector<Issue> issues;

    void add_issue(std::string stage, std::string code, std::string message) {
        issues.push_back({std::move(stage), std::move(code), std::move(message)});
    }
};

}  // namespace formscan
