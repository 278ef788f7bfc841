#include "printing.hpp"

#include <pango/pangocairo.h>

#include <memory>

namespace formscan::synth {

namespace {

struct LayoutDeleter {
    void operator()(PangoLayout* l) const { g_object_unref(l); }
};
struct FontDeleter {
    void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};

std::unique_ptr<PangoLayout, LayoutDeleter> make_layout(cairo_t* cr, const std::string& text, const std::string& font,
                                                        double size_mm, bool bold) {
    std::unique_ptr<PangoLayout, LayoutDeleter> layout(pango_cairo_create_layout(cr));
    std::unique_ptr<PangoFontDescription, FontDeleter> desc(pango_font_description_from_string(font.c_str()));
    pango_font_description_set_absolute_size(desc.get(), size_mm * PANGO_SCALE);
    if (bold) pango_font_description_set_weight(desc.get(), PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(layout.get(), desc.get());
    pango_layout_set_text(layout.get(), text.c_str(), -1);
    return layout;
}

}  // namespace

void print_text(cairo_t* cr, const std::string& text, const std::string& font, double size_mm, const cv::Rect2d& box,
                Align align, bool wrap, bool bold) {
    if (text.empty() || box.width <= 0 || box.height <= 0) return;
    double size = size_mm;
    for (int attempt = 0; attempt < 40; ++attempt) {
        auto layout = make_layout(cr, text, font, size, bold);
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
    auto layout = make_layout(cr, text, font, size_mm, false);
    PangoRectangle logical;
    pango_layout_get_extents(layout.get(), nullptr, &logical);
    return double(logical.width) / PANGO_SCALE;
}

}  // namespace formscan::synth
