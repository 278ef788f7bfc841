#include "formscan/page_code.hpp"

#include <opencv2/imgproc.hpp>

#include <sstream>

namespace formscan {

namespace {

constexpr const char* kMagic = "FS1";

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, separator)) parts.push_back(part);
    return parts;
}

}  // namespace

std::string to_text(const PageCode& code) {
    std::string keys;
    for (const auto& k : code.row_keys) keys += (keys.empty() ? "" : ",") + k;
    return std::string(kMagic) + ";t=" + code.template_id + ";v=" + std::to_string(code.template_version) + ";b=" + code.batch +
           ";p=" + std::to_string(code.page) + ";k=" + keys;
}

std::optional<PageCode> parse_page_code(const std::string& text) {
    auto parts = split(text, ';');
    if (parts.empty() || parts[0] != kMagic) return std::nullopt;
    PageCode code;
    try {
        for (std::size_t i = 1; i < parts.size(); ++i) {
            const auto eq = parts[i].find('=');
            if (eq == std::string::npos) return std::nullopt;
            const std::string key = parts[i].substr(0, eq), value = parts[i].substr(eq + 1);
            if (key == "t") code.template_id = value;
            else if (key == "v") code.template_version = std::stoi(value);
            else if (key == "b") code.batch = value;
            else if (key == "p") code.page = std::stoi(value);
            else if (key == "k") code.row_keys = value.empty() ? std::vector<std::string>{} : split(value, ',');
        }
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (code.template_id.empty() || code.page <= 0) return std::nullopt;
    return code;
}

std::array<std::optional<cv::Point2f>, 4> find_corner_marks(const cv::Mat& gray, double side_px, double tolerance, double min_fill) {
    cv::Mat ink, labels, stats, centroids;
    cv::threshold(gray, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
    const int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
    const std::array<cv::Point2f, 4> corners = {cv::Point2f(0, 0), cv::Point2f(static_cast<float>(gray.cols), 0),
                                                cv::Point2f(static_cast<float>(gray.cols), static_cast<float>(gray.rows)),
                                                cv::Point2f(0, static_cast<float>(gray.rows))};
    std::array<std::optional<cv::Point2f>, 4> marks;
    std::array<double, 4> nearest;
    nearest.fill(0.25 * std::min(gray.cols, gray.rows));
    for (int i = 1; i < n; ++i) {
        const int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
        if (std::abs(w - side_px) > tolerance * side_px || std::abs(h - side_px) > tolerance * side_px) continue;
        if (stats.at<int>(i, cv::CC_STAT_AREA) < min_fill * w * h) continue;  // solid, not a ring or a glyph
        const cv::Point2f c(static_cast<float>(centroids.at<double>(i, 0)), static_cast<float>(centroids.at<double>(i, 1)));
        for (std::size_t k = 0; k < 4; ++k) {
            const double d = cv::norm(c - corners[k]);
            if (d < nearest[k]) nearest[k] = d, marks[k] = c;
        }
    }
    return marks;
}

}  // namespace formscan
