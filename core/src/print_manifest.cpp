#include "formscan/print_manifest.hpp"

#include "formscan/error.hpp"
#include "formscan/record_json.hpp"
#include "formscan/text_utils.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

namespace formscan {

const std::map<int, Record>* PrintManifests::rows(const std::string& batch, int page) const {
    auto b = pages.find(batch);
    if (b == pages.end()) return nullptr;
    auto p = b->second.find(page);
    return p == b->second.end() ? nullptr : &p->second;
}

std::shared_ptr<const PrintManifests> load_print_manifests(const std::string& folder) {
    auto manifests = std::make_shared<PrintManifests>();
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        throw Error("formscan.printed_values.batches", "batches: " + folder + " is not a folder");
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() < 12 || name.compare(name.size() - 12, 12, ".batch.jsonl") != 0) continue;
        std::ifstream in(entry.path());
        std::string line;
        for (int number = 1; std::getline(in, line); ++number) {
            if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
            Record r;
            try {
                r = record_from_json_line(line);
            } catch (const Error& e) {
                throw Error("formscan.printed_values.manifest", entry.path().string() + ":" + std::to_string(number) + ": " + e.what());
            }
            if (r.batch.empty() || r.batch_page < 1) continue;
            r.row = std::max(r.row, 1);  // a one-person sheet's record is its row 1
            for (const auto& f : r.fields)
                if (f.reader == "printed" && f.key == "id_number" && !f.text().empty()) manifests->by_id[f.text()] = {r.batch, r.batch_page};
            manifests->pages[r.batch][r.batch_page][r.row] = std::move(r);
        }
    }
    return manifests;
}

bool is_printed_code(const std::vector<std::string>& chars) {
    return chars.size() <= 2 && std::all_of(chars.begin(), chars.end(), [](const std::string& c) {
               return c == "√" || (c.size() == 1 && std::isdigit(static_cast<unsigned char>(c[0])));
           });
}

std::optional<std::pair<cv::Point, cv::Point>> find_strike(const cv::Mat& page, const cv::Rect& box, double px_per_mm,
                                                           const std::string& printed) {
    const double min_mm = is_printed_code(utf8_chars(printed)) ? 2.0 : 4.0;
    const cv::Rect inside = box & cv::Rect(0, 0, page.cols, page.rows);
    if (inside.width < 20 || inside.height < 8) return std::nullopt;
    // The middle band only: the cell's ruling lines above and below are no strike.
    const cv::Rect band(inside.x, inside.y + inside.height / 4, inside.width, inside.height / 2);
    cv::Mat ink;
    cv::threshold(page(band), ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
    std::vector<cv::Vec4i> lines;
    // Across most of the cell; in a narrow cell, longer than any printed stroke.
    const double min_length = std::max(0.45 * band.width, min_mm * px_per_mm);
    if (min_length > band.width) return std::nullopt;
    // Gaps of a fraction of a millimetre only: the level strokes of printed characters side
    // by side (二, 王, 宇) are apart by more, a pen's line is not.
    cv::HoughLinesP(ink, lines, 1, CV_PI / 360, static_cast<int>(min_length / 2), min_length, std::max(1.0, 0.15 * px_per_mm));
    // A pen's line is thin where it runs between the strokes it crosses; a row of small
    // printed characters, blurred into a bar, is as thick as they are tall.
    auto thin = [&](const cv::Vec4i& l) {
        std::vector<int> runs;
        for (int k = 1; k < 20; ++k) {
            const int x = l[0] + (l[2] - l[0]) * k / 20, y = l[1] + (l[3] - l[1]) * k / 20;
            if (x < 0 || x >= ink.cols || y < 0 || y >= ink.rows || !ink.at<unsigned char>(y, x)) continue;
            int top = y, bottom = y;
            while (top > 0 && ink.at<unsigned char>(top - 1, x)) --top;
            while (bottom + 1 < ink.rows && ink.at<unsigned char>(bottom + 1, x)) ++bottom;
            runs.push_back(bottom - top + 1);
        }
        if (runs.size() < 5) return false;
        std::nth_element(runs.begin(), runs.begin() + static_cast<std::ptrdiff_t>(runs.size() / 4), runs.end());
        return runs[runs.size() / 4] <= std::max(2.0, 0.8 * px_per_mm);
    };
    for (const auto& l : lines) {
        const double dx = std::abs(l[2] - l[0]), dy = std::abs(l[3] - l[1]);
        if (dx >= min_length && dy <= 0.36 * dx && thin(l))  // a hasty pen's slant, up to 20 degrees
            return std::make_pair(cv::Point(l[0], l[1]) + band.tl(), cv::Point(l[2], l[3]) + band.tl());
    }
    return std::nullopt;
}

}  // namespace formscan
