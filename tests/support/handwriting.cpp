#include "handwriting.hpp"

#include "formscan/text_utils.hpp"
#include "random_utils.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace formscan::synth {

namespace {

void set_ink(cairo_t* cr, const Hand& hand) { cairo_set_source_rgb(cr, hand.ink, hand.ink, hand.ink * 1.1 + 0.05); }

// Paints a 28x28 MNIST digit so that its ink box is `height` tall at (x, top).
double paint_mnist(cairo_t* cr, const cv::Mat& digit, double x, double top, double height, const Hand& hand,
                   std::mt19937& rng) {
    std::vector<cv::Point> points;
    cv::findNonZero(digit > 40, points);
    if (points.empty()) return 0;
    cv::Rect ink = cv::boundingRect(points);
    cairo_surface_t* mask = cairo_image_surface_create(CAIRO_FORMAT_A8, digit.cols, digit.rows);
    cairo_surface_flush(mask);
    unsigned char* data = cairo_image_surface_get_data(mask);
    int stride = cairo_image_surface_get_stride(mask);
    for (int y = 0; y < digit.rows; ++y) std::copy_n(digit.ptr<unsigned char>(y), digit.cols, data + y * stride);
    cairo_surface_mark_dirty(mask);
    double scale = height / ink.height * uni(0.92, 1.04, rng);
    double width = ink.width * scale;
    cairo_save(cr);
    cairo_translate(cr, x + width / 2, top + height / 2);
    cairo_rotate(cr, hand.slant + gauss(0.06, rng));
    cairo_scale(cr, scale, scale);
    cairo_translate(cr, -(ink.x + ink.width / 2.0), -(ink.y + ink.height / 2.0));
    set_ink(cr, hand);
    cairo_mask_surface(cr, mask, 0, 0);
    cairo_restore(cr);
    cairo_surface_destroy(mask);
    return width;
}

void stroke_path(cairo_t* cr, const std::vector<cv::Point2d>& points, double width) {
    if (points.empty()) return;
    cairo_set_line_width(cr, width);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_move_to(cr, points[0].x, points[0].y);
    if (points.size() == 1) cairo_line_to(cr, points[0].x + width * 0.1, points[0].y);
    for (std::size_t i = 1; i < points.size(); ++i) {
        // Smooth through midpoints, like a pen's continuous motion.
        if (i + 1 < points.size()) {
            cv::Point2d mid = (points[i] + points[i + 1]) * 0.5;
            cairo_curve_to(cr, points[i].x, points[i].y, points[i].x, points[i].y, mid.x, mid.y);
        } else {
            cairo_line_to(cr, points[i].x, points[i].y);
        }
    }
    cairo_stroke(cr);
}

// One character from its medians in a size x size square at (x, y).
void paint_hanzi(cairo_t* cr, const std::vector<Stroke>& strokes, double x, double y, double size, const Hand& hand,
                 std::mt19937& rng, double messiness) {
    double angle = hand.slant + gauss(0.05 * messiness, rng);
    double sx = uni(0.85, 1.08, rng), sy = uni(0.88, 1.08, rng);
    double ca = std::cos(angle), sa = std::sin(angle);
    double jitter = size * 0.018 * messiness;
    set_ink(cr, hand);
    for (const auto& stroke : strokes) {
        cv::Point2d drift(gauss(jitter, rng), gauss(jitter, rng));
        std::vector<cv::Point2d> points;
        for (const auto& p : stroke) {
            double u = (p.x / 1024.0 - 0.5) * sx, v = (p.y / 1024.0 - 0.5) * sy;
            double ru = u * ca - v * sa, rv = u * sa + v * ca;
            points.emplace_back(x + size * (0.5 + ru) + drift.x + gauss(jitter * 0.5, rng),
                                y + size * (0.5 + rv) + drift.y + gauss(jitter * 0.5, rng));
        }
        stroke_path(cr, points, size * hand.pen * uni(0.85, 1.15, rng));
    }
}

}  // namespace

Hand Hand::random(std::mt19937& rng) {
    Hand h;
    h.ink = uni(0.0, 0.3, rng);
    h.pen = uni(0.06, 0.11, rng);
    h.slant = gauss(0.06, rng);
    h.spacing = uni(0.85, 1.2, rng);
    return h;
}

double draw_digits(cairo_t* cr, const MnistDigits& digits, DigitSplit split, const std::string& text,
                   const cv::Rect2d& box, const Hand& hand, std::mt19937& rng) {
    if (text.empty()) return 0;
    // Pick every glyph first, so the string can be fitted to the box exactly.
    struct Glyph {
        char c;
        cv::Mat image;
        double aspect;  // ink width / ink height
        double gap;     // space after, as a share of the height
    };
    std::vector<Glyph> glyphs;
    double units = 0;
    for (char c : text) {
        Glyph g{c, {}, 0.3, uni(0.02, 0.14, rng) * hand.spacing};
        if (c >= '0' && c <= '9') {
            g.image = digits.random(c - '0', split, rng);
            std::vector<cv::Point> points;
            cv::findNonZero(g.image > 40, points);
            cv::Rect ink = points.empty() ? cv::Rect(0, 0, 1, 1) : cv::boundingRect(points);
            g.aspect = ink.width / double(ink.height);
        }
        units += g.aspect * 1.08 + g.gap;
        glyphs.push_back(std::move(g));
    }
    double height = std::min(box.height * uni(0.55, 0.8, rng), box.height - 0.4);
    height = std::min(height, box.width * 0.94 / units);
    double used = units * height;
    double x = box.x + uni(0.1, 0.5, rng) * std::max(0.0, box.width - used);
    double baseline_top = box.y + (box.height - height) / 2;
    for (auto& g : glyphs) {
        double top = baseline_top + gauss(height * 0.04, rng);
        if (!g.image.empty()) {
            double w = paint_mnist(cr, g.image, x, top, height, hand, rng);
            x += std::max(w, g.aspect * height) + g.gap * height;
            continue;
        }
        set_ink(cr, hand);
        double w = height * 0.3;
        if (g.c == '.') {
            stroke_path(cr, {{x + w * 0.4, top + height * 0.92}}, height * hand.pen * 1.6);
        } else if (g.c == '-') {
            stroke_path(cr, {{x, top + height * 0.5}, {x + w, top + height * 0.5 + gauss(height * 0.02, rng)}},
                        height * hand.pen * 1.2);
        } else if (g.c == '/') {
            stroke_path(cr, {{x + w, top}, {x, top + height}}, height * hand.pen * 1.2);
        }
        x += w + g.gap * height;
    }
    return x - box.x;
}

void draw_hanzi(cairo_t* cr, const HanziMedians& hanzi, const std::string& text, const cv::Rect2d& box, const Hand& hand,
                std::mt19937& rng, double messiness) {
    auto chars = utf8_chars(text);
    if (chars.empty()) return;
    double size = std::min(box.height * uni(0.6, 0.8, rng), box.width / (chars.size() * 0.95 * hand.spacing));
    int lines = 1;
    if (size < box.height * 0.35 && box.height > 0) {
        // Two lines, as people do in a narrow cell.
        lines = 2;
        std::size_t per_line = (chars.size() + 1) / 2;
        size = std::min(box.height * 0.42, box.width / (per_line * 0.95 * hand.spacing));
    }
    std::size_t per_line = (chars.size() + lines - 1) / lines;
    for (std::size_t i = 0; i < chars.size(); ++i) {
        int line = static_cast<int>(i / per_line);
        std::size_t col = i % per_line;
        double line_top = box.y + (box.height - lines * size * 1.05) / 2 + line * size * 1.05;
        double x = box.x + size * 0.1 + col * size * 0.95 * hand.spacing;
        if (const auto* strokes = hanzi.strokes(chars[i]))
            paint_hanzi(cr, *strokes, x, line_top + gauss(size * 0.03, rng), size, hand, rng, messiness);
    }
}

void draw_tick(cairo_t* cr, const cv::Rect2d& box, const Hand& hand, std::mt19937& rng) {
    double s = std::min(box.width, box.height) * uni(0.5, 0.8, rng);
    double cx = box.x + box.width / 2 + gauss(box.width * 0.06, rng);
    double cy = box.y + box.height / 2 + gauss(box.height * 0.05, rng);
    double w = s * uni(0.8, 1.2, rng);
    std::vector<cv::Point2d> points = {
        {cx - w * 0.45, cy - s * uni(0.0, 0.15, rng)},
        {cx - w * uni(0.15, 0.05, rng), cy + s * 0.45},
        {cx + w * 0.5, cy - s * uni(0.4, 0.55, rng)},
    };
    set_ink(cr, hand);
    stroke_path(cr, points, std::max(0.25, s * hand.pen * 1.4));
}

void draw_cross(cairo_t* cr, const cv::Rect2d& box, const Hand& hand, std::mt19937& rng) {
    double s = std::min(box.width, box.height) * uni(0.5, 0.75, rng);
    double cx = box.x + box.width / 2, cy = box.y + box.height / 2;
    set_ink(cr, hand);
    double pen = std::max(0.25, s * hand.pen * 1.4);
    stroke_path(cr, {{cx - s / 2, cy - s / 2}, {cx + s / 2 + gauss(s * 0.05, rng), cy + s / 2}}, pen);
    stroke_path(cr, {{cx + s / 2, cy - s / 2}, {cx - s / 2, cy + s / 2 + gauss(s * 0.05, rng)}}, pen);
}

void draw_signature(cairo_t* cr, const HanziMedians& hanzi, const std::string& name, const cv::Rect2d& box,
                    const Hand& hand, std::mt19937& rng) {
    Hand quick = hand;
    quick.spacing = hand.spacing * uni(0.75, 0.95, rng);
    quick.slant = hand.slant + uni(-0.15, 0.05, rng);
    cv::Rect2d area(box.x + box.width * uni(0.0, 0.15, rng), box.y, box.width * uni(0.75, 0.95, rng), box.height);
    draw_hanzi(cr, hanzi, name, area, quick, rng, 2.2);
}

}  // namespace formscan::synth
