#include "printing.hpp"

#include "formscan/pango_handles.hpp"

#include <memory>

namespace formscan::synth {

void print_text(cairo_t* cr, const std::string& text, const std::string& font, double size_mm, const cv::Rect2d& box,
                Align align, bool wrap, bool bold) {
    if (text.empty() || box.width <= 0 || box.height <= 0) return;
    double size = size_mm;
    for (int attempt = 0; attempt < 40; ++attempt) {
        auto layout = make_pango_layout(cr, text, font, size, bold);
        if (wrap) {
            pango_layout_set_width(layout.get(), static_cast<int>(box.width * PANGO_SCALE));
            pango_layout_set_wrap(layout.get(), PANGO_WRAP_CHAR);
        }
        pango_layout_set_alignment(layout.get(), align == Align::centre ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
        PangoRectangle ink, logical;
        pango_layout_get_extents(layout.get(), &ink, &logical);
        double w = double(logical.width) / PANGO_SCALE, h = double(logical.height) / PANGO_SCALE;
        if ((w <= box.width * 1.001 && h <= box.height * 1.001) || size < 1.2) {
            double x = box.x;
            if (!wrap && align == Align::centre) x += (box.width - w) / 2;
            if (!wrap) x -= double(logical.x) / PANGO_SCALE;
            double y = box.y + (box.height - h) / 2 - double(logical.y) / PANGO_SCALE;
            cairo_save(cr);
            cairo_set_source_rgb(cr, 0, 0, 0);
            cairo_move_to(cr, x, y);
            pango_cairo_show_layout(cr, layout.get());
            cairo_restore(cr);
            return;
        }
        size *= 0.92;
    }
}

double measure_text(cairo_t* cr, const std::string& text, const std::string& font, double size_mm) {
    auto layout = make_pango_layout(cr, text, font, size_mm, false);
    PangoRectangle logical;
    pango_layout_get_extents(layout.get(), nullptr, &logical);
    return double(logical.width) / PANGO_SCALE;
}

}  // namespace formscan::synth
