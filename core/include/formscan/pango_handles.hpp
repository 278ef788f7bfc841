#pragma once
// Owning handles for the cairo and pango objects that render print (formscan print's
// layout, the digit reader's print eraser, the glyph recogniser's training glyphs).
// Header-only: a target that includes it links PkgConfig::PANGOCAIRO itself.
#include <cairo.h>
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

}  // namespace formscan
