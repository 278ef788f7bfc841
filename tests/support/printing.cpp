#include "printing.hpp"

namespace formscan::synth {

double measure_text(cairo_t* cr, const std::string& text, const std::string& font, double size_mm) {
    auto layout = make_pango_layout(cr, text, font, size_mm, false);
    PangoRectangle logical;
    pango_layout_get_extents(layout.get(), nullptr, &logical);
    return double(logical.width) / PANGO_SCALE;
}

}  // namespace formscan::synth
