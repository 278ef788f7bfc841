#pragma once
// Owning handles for the cairo and pango objects that render print (formscan print's
// layout, the digit reader's print eraser, the glyph recogniser's training glyphs), and
// how a value is set in its box, so that the eraser renders a value as the print did.
// Header-only: a target that includes it links PkgConfig::PANGOCAIRO itself.
#include <cairo.h>
#include <opencv2/core/types.hpp>
#include <pango/pangocairo.h>

#include <memory>
#include <string>

namespace formscan {

struct CairoSurfaceDeleter {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoContextDeleter {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};
struct PangoLayoutDeleter {
    void operator()(PangoLayout* l) const { g_object_unref(l); }
};
struct PangoFontDeleter {
    void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};

using CairoSurfacePtr = std::unique_ptr<cairo_surface_t, CairoSurfaceDeleter>;
using CairoContextPtr = std::unique_ptr<cairo_t, CairoContextDeleter>;
using PangoLayoutPtr = std::unique_ptr<PangoLayout, PangoLayoutDeleter>;
using PangoFontPtr = std::unique_ptr<PangoFontDescription, PangoFontDeleter>;

// `text` laid out for `cr` in `font` at `size` (in the context's user units, absolute).
inline PangoLayoutPtr make_pango_layout(cairo_t* cr, const std::string& text, const std::string& font, double size, bool bold = false) {
    PangoLayoutPtr layout(pango_cairo_create_layout(cr));
    PangoFontPtr desc(pango_font_description_from_string(font.c_str()));
    pango_font_description_set_absolute_size(desc.get(), size * PANGO_SCALE);
    if (bold) pango_font_description_set_weight(desc.get(), PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(layout.get(), desc.get());
    pango_layout_set_text(layout.get(), text.c_str(), -1);
    return layout;
}

enum class Align { left, centre };

// Draws `text` (may hold '\n') in black inside `box` (user units), vertically centred, as
// formscan print sets a value: the size shrinks by 8% a step until the text fits (or is
// under 1.2); with `wrap` it may break into lines at the box's width.
inline void print_text(cairo_t* cr, const std::string& text, const std::string& font, double size, const cv::Rect2d& box, Align align,
                       bool wrap, bool bold = false) {
    if (text.empty() || box.width <= 0 || box.height <= 0) return;
    for (int attempt = 0; attempt < 40; ++attempt, size *= 0.92) {
        PangoLayoutPtr layout = make_pango_layout(cr, text, font, size, bold);
        if (wrap) {
            pango_layout_set_width(layout.get(), static_cast<int>(box.width * PANGO_SCALE));
            pango_layout_set_wrap(layout.get(), PANGO_WRAP_CHAR);
        }
        pango_layout_set_alignment(layout.get(), align == Align::centre ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
        PangoRectangle logical;
        pango_layout_get_extents(layout.get(), nullptr, &logical);
        const double w = double(logical.width) / PANGO_SCALE, h = double(logical.height) / PANGO_SCALE;
        if ((w > box.width * 1.001 || h > box.height * 1.001) && size >= 1.2) continue;
        double x = box.x;
        if (!wrap && align == Align::centre) x += (box.width - w) / 2;
        if (!wrap) x -= double(logical.x) / PANGO_SCALE;
        const double y = box.y + (box.height - h) / 2 - double(logical.y) / PANGO_SCALE;
        cairo_save(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_move_to(cr, x, y);
        pango_cairo_show_layout(cr, layout.get());
        cairo_restore(cr);
        return;
    }
}

}  // namespace formscan
