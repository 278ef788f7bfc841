// table_grid: finds the ruled table of a table form (核对表): its outer frame, the
// column boundaries and every data row, on any print run's layout. Columns are matched
// to the template by order and by the number row's structure, never by coordinates.
// See README.md in this folder.
#include "formscan/error.hpp"
#include "formscan/stage.hpp"

#include <Poco/ClassLibrary.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace formscan {

namespace {

// Positions where a projection stays above a threshold, merged into line centres.
std::vector<int> line_centres(const std::vector<int>& projection, int threshold, int merge_gap) {
    std::vector<int> centres;
    int start = -1, last = -1;
    auto flush = [&] {
        if (start >= 0) centres.push_back((start + last) / 2);
        start = -1;
    };
    for (int i = 0; i < static_cast<int>(projection.size()); ++i) {
        if (projection[i] < threshold) continue;
        if (start >= 0 && i - last > merge_gap) flush();
        if (start < 0) start = i;
        last = i;
    }
    flush();
    return centres;
}

cv::Mat line_mask(const cv::Mat& ink, bool horizontal, int length, int bridge) {
    cv::Mat lines;
    cv::Size open_size = horizontal ? cv::Size(length, 1) : cv::Size(1, length);
    cv::morphologyEx(ink, lines, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, open_size));
    // Bridge small breaks in faint or broken lines.
    cv::Size close_size = horizontal ? cv::Size(bridge, 1) : cv::Size(1, bridge);
    cv::morphologyEx(lines, lines, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, close_size));
    return lines;
}

// Share of [y0, y1) in which the vertical-line mask has ink within +/- tol of x, at
// the best x within +/- reach of it: a table left slightly warped has column lines
// that drift a few pixels from their average position over its height.
double vertical_coverage(const cv::Mat& vlines, int x, int y0, int y1, int tol, int reach) {
    if (y1 <= y0) return 0;
    double best = 0;
    for (int cx = x - reach; cx <= x + reach; cx += std::max(1, tol)) {
        int x0 = std::max(0, cx - tol), x1 = std::min(vlines.cols, cx + tol + 1);
        if (x1 <= x0) continue;
        cv::Mat band;
        cv::reduce(vlines(cv::Range(y0, y1), cv::Range(x0, x1)), band, 1, cv::REDUCE_MAX);
        best = std::max(best, cv::countNonZero(band) / double(y1 - y0));
    }
    return best;
}

}  // namespace

class TableGridStage : public Stage {
public:
    StageInfo info() const override {
        return {"table_grid",
                "1.0.0",
                "finds the ruled table: frame, columns (matched to the template) and data rows",
                {kHasStraightened},
                {kHasCells, kHasRecords},
                {
                    {"min_line_mm", ParamType::number, "6", 2, 50, "shortest ruling line segment, in mm"},
                    {"line_share", ParamType::number, "0.5", 0.2, 0.95,
                     "share of the table's width (height) a row (column) line must cover"},
                    {"boundary_coverage", ParamType::number, "0.75", 0.3, 1,
                     "share of a row's height a column line must cover for the row to count as a data row"},
                    {"broken_boundaries", ParamType::integer, "2", 0, 10,
                     "column lines a data row may miss (broken by damage, crossed out by writing); the number "
                     "row misses the four inside 13, the header rows those of their merged cells"},
                    {"empty_ink", ParamType::number, "0.004", 0, 0.2,
                     "ink share below which a cell is empty; a row of empty cells is no record"},
                }};
    }

    void configure(const ParamValues& params, const StageEnvironment&) override {
        min_line_mm_ = params.get_double("min_line_mm");
        line_share_ = params.get_double("line_share");
        boundary_coverage_ = params.get_double("boundary_coverage");
        empty_ink_ = params.get_double("empty_ink");
        broken_boundaries_ = static_cast<int>(params.get_int("broken_boundaries"));
    }

    void process(PageContext& ctx) override {
        if (!ctx.form.is_table()) throw Error("formscan.table_grid.not_a_table", ctx.form.id + " is not a table form");
        const cv::Mat& gray = ctx.page.image;
        const double px_per_mm = pixels_per_mm(ctx);

        cv::Mat ink;
        int block = std::max(15, static_cast<int>(px_per_mm * 4) | 1);
        cv::adaptiveThreshold(gray, ink, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV, block, 20);

        int min_len = std::max(10, static_cast<int>(min_line_mm_ * px_per_mm));
        int bridge = std::max(3, static_cast<int>(1.5 * px_per_mm));
        cv::Mat hlines = line_mask(ink, true, min_len, bridge);
        cv::Mat vlines = line_mask(ink, false, min_len, bridge);

        cv::Rect frame = find_frame(hlines, vlines);
        if (frame.width < gray.cols / 3 || frame.height < gray.rows / 6) {
            throw Error("formscan.grid.no_table", "no ruled table found on the page");
        }
        ctx.page.table = frame;

        int merge = std::max(2, static_cast<int>(0.8 * px_per_mm));
        std::vector<int> rows_y = find_lines(hlines(frame), true, merge, tolerance(px_per_mm));
        std::vector<int> cols_x = find_lines(vlines(frame), false, merge, tolerance(px_per_mm));
        for (int& y : rows_y) y += frame.y;
        for (int& x : cols_x) x += frame.x;

        const int columns = static_cast<int>(ctx.form.columns.size());
        if (static_cast<int>(cols_x.size()) != columns + 1) {
            throw Error("formscan.grid.mismatch", "the table has " + std::to_string(int(cols_x.size()) - 1) +
                                                      " columns where template " + ctx.form.id + " has " +
                                                      std::to_string(columns) + "; the page is not read");
        }

        // A band between two row lines is a data row when the column boundaries run
        // through it, but for a few a scan broke or writing crossed; header bands miss
        // the boundaries hidden by merged cells, and the number row misses those inside 13
        // (the five insurance columns share "13").
        int tol = std::max(2, static_cast<int>(0.6 * px_per_mm));
        std::vector<bool> full(rows_y.size(), false);
        for (std::size_t r = 0; r + 1 < rows_y.size(); ++r) {
            int y0 = rows_y[r] + tol, y1 = rows_y[r + 1] - tol;
            if (y1 - y0 < 2 * px_per_mm) continue;
            int missing = 0;
            for (int c = 1; c < columns; ++c)
                missing += vertical_coverage(vlines, cols_x[c], y0, y1, tol, 4 * tol) < boundary_coverage_ ? 1 : 0;
            full[r] = missing <= broken_boundaries_;
        }
        // Data rows: the run of full bands that ends at the table's bottom line.
        int last = static_cast<int>(rows_y.size()) - 2;
        int first = last;
        while (first >= 0 && full[first]) --first;
        ++first;
        if (first > last) throw Error("formscan.grid.no_rows", "the table has no data rows");
        if (first == 0) ctx.page.add_issue("table_grid", "grid.no_header", "no header rows found above the data rows");
        ctx.page.data_rows = last - first + 1;
        if (first > 0)
            ctx.page.number_row = cv::Rect(cv::Point(frame.x, rows_y[first - 1]), cv::Point(frame.x + frame.width, rows_y[first]));

        cv::Mat ink_no_lines = ink & ~(hlines | vlines);
        int inset = std::max(1, static_cast<int>(0.35 * px_per_mm));
        for (int r = first; r <= last; ++r) {
            int row = r - first + 1;
            std::vector<FieldCell> cells;
            double row_ink = 0;
            for (int c = 0; c < columns; ++c) {
                cv::Rect box(cv::Point(cols_x[c] + inset, rows_y[r] + inset), cv::Point(cols_x[c + 1] - inset, rows_y[r + 1] - inset));
                box &= cv::Rect(0, 0, gray.cols, gray.rows);
                cells.push_back({row, ctx.form.columns[c].field, box});
                // The cell's middle only: remnants of thick or slanted rules hug its edges.
                cv::Rect middle(box.x + box.width / 8, box.y + box.height / 8, box.width * 3 / 4, box.height * 3 / 4);
                if (middle.area() > 0)
                    row_ink = std::max(row_ink, cv::countNonZero(ink_no_lines(middle)) / double(middle.area()));
            }
            if (row_ink < empty_ink_) continue;  // a blank printed row is no person
            Record record = make_empty_record(ctx.form, ctx.page, row);
            for (auto& cell : cells) record.at(cell.key).box = cell.box;
            ctx.records.push_back(std::move(record));
            ctx.page.cells.insert(ctx.page.cells.end(), cells.begin(), cells.end());
        }
        // A page of 核对表 rows none of which holds anything is reported, not passed over
        // in silence: more likely a grid read wrong than a blank form.
        if (ctx.records.empty())
            throw Error("formscan.grid.no_person", "none of the " + std::to_string(ctx.page.data_rows) +
                                                       " data rows found holds anything; the page is not read");
    }

private:
    // The largest connected structure of ruling lines is the table.
    static cv::Rect find_frame(const cv::Mat& hlines, const cv::Mat& vlines) {
        cv::Mat grid = hlines | vlines;
        cv::Mat labels, stats, centroids;
        int n = cv::connectedComponentsWithStats(grid, labels, stats, centroids, 8, CV_32S);
        int best = -1;
        long best_area = 0;
        for (int i = 1; i < n; ++i) {
            long area = long(stats.at<int>(i, cv::CC_STAT_WIDTH)) * stats.at<int>(i, cv::CC_STAT_HEIGHT);
            if (area > best_area) best_area = area, best = i;
        }
        if (best < 0) return {};
        return {stats.at<int>(best, cv::CC_STAT_LEFT), stats.at<int>(best, cv::CC_STAT_TOP),
                stats.at<int>(best, cv::CC_STAT_WIDTH), stats.at<int>(best, cv::CC_STAT_HEIGHT)};
    }

    // A line left a little slanted (a slight warp, a residual skew) still counts: each
    // pixel row (column) counts once where a line passes within +/- `tol` pixels.
    static int tolerance(double px_per_mm) { return std::max(2, static_cast<int>(0.7 * px_per_mm)); }

    std::vector<int> find_lines(const cv::Mat& mask, bool horizontal, int merge, int tol) const {
        cv::Mat spread, sums;
        cv::Size k = horizontal ? cv::Size(1, 2 * tol + 1) : cv::Size(2 * tol + 1, 1);
        cv::dilate(mask, spread, cv::getStructuringElement(cv::MORPH_RECT, k));
        cv::reduce(spread / 255, sums, horizontal ? 1 : 0, cv::REDUCE_SUM, CV_32S);
        std::vector<int> projection(sums.begin<int>(), sums.end<int>());
        int span = horizontal ? mask.cols : mask.rows;
        return line_centres(projection, static_cast<int>(line_share_ * span), merge + tol);
    }

    double min_line_mm_ = 6, line_share_ = 0.5, boundary_coverage_ = 0.75, empty_ink_ = 0.004;
    int broken_boundaries_ = 2;
};

}  // namespace formscan

POCO_BEGIN_NAMED_MANIFEST(FormscanV2, formscan::Stage)
POCO_EXPORT_CLASS(formscan::TableGridStage)
POCO_END_MANIFEST
