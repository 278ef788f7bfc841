// Renders every character of a list in every font given, for training the printed-glyph
// recogniser (see train.sh): one 64x64 image per (font, character), the glyph centred
// and as large as its font size allows, ink 255 on 0. The degradations of a scan (size,
// blur, noise, thresholding, stroke width) are applied by the trainer, so each epoch
// sees them anew.
//   make_glyph_data --chars CHARS.txt --fonts "Noto Sans CJK SC,AR PL UMing CN" --out GLYPHS.bin
// Output: "FSGLYPH1", uint32 fonts, uint32 characters, uint32 side, then per font and
// per character side*side bytes (font-major, characters in the order of CHARS.txt).
#include "formscan/pango_handles.hpp"
#include "formscan/text_utils.hpp"


#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int kSide = 64;

// One character in one font, centred on its logical box (as print centres text in a
// cell), at a size that leaves a margin for the trainer's shifts.
std::vector<std::uint8_t> render(const std::string& font, const std::string& character) {
    formscan::CairoSurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_A8, kSide, kSide));
    formscan::CairoContextPtr cr(cairo_create(surface.get()));
    formscan::PangoLayoutPtr layout = formscan::make_pango_layout(cr.get(), character, font, 0.8 * kSide);
    PangoRectangle ink, logical;
    pango_layout_get_pixel_extents(layout.get(), &ink, &logical);
    cairo_set_source_rgba(cr.get(), 0, 0, 0, 1);
    cairo_move_to(cr.get(), (kSide - ink.width) / 2.0 - ink.x, (kSide - ink.height) / 2.0 - ink.y);
    pango_cairo_show_layout(cr.get(), layout.get());
    cairo_surface_flush(surface.get());
    const unsigned char* data = cairo_image_surface_get_data(surface.get());
    const int stride = cairo_image_surface_get_stride(surface.get());
    std::vector<std::uint8_t> out(kSide * kSide);
    for (int y = 0; y < kSide; ++y) std::memcpy(&out[static_cast<std::size_t>(y * kSide)], data + y * stride, kSide);
    return out;
}

std::vector<std::string> split(const std::string& list, char by) {
    std::vector<std::string> out;
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, by);)
        if (!item.empty()) out.push_back(item);
    return out;
}

void put_u32(std::ofstream& out, std::uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); }

}  // namespace

int main(int argc, char** argv) {
    std::string chars_path, fonts, out_path;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--chars") chars_path = argv[i + 1];
        else if (flag == "--fonts") fonts = argv[i + 1];
        else if (flag == "--out") out_path = argv[i + 1];
    }
    if (chars_path.empty() || fonts.empty() || out_path.empty()) {
        std::cerr << "usage: make_glyph_data --chars CHARS.txt --fonts F1,F2,... --out GLYPHS.bin\n";
        return 2;
    }
    std::ifstream in(chars_path);
    if (!in) {
        std::cerr << "make_glyph_data: cannot read " << chars_path << "\n";
        return 2;
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> characters;
    for (const auto& c : formscan::utf8_chars(text))
        if (c != "\n" && c != " ") characters.push_back(c);
    const auto font_list = split(fonts, ',');
    std::ofstream out(out_path, std::ios::binary);
    out.write("FSGLYPH1", 8);
    put_u32(out, static_cast<std::uint32_t>(font_list.size()));
    put_u32(out, static_cast<std::uint32_t>(characters.size()));
    put_u32(out, kSide);
    for (const auto& font : font_list)
        for (const auto& c : characters) {
            const auto glyph = render(font, c);
            out.write(reinterpret_cast<const char*>(glyph.data()), static_cast<std::streamsize>(glyph.size()));
        }
    if (!out) {
        std::cerr << "make_glyph_data: cannot write " << out_path << "\n";
        return 1;
    }
    std::cerr << "make_glyph_data: " << characters.size() << " characters in " << font_list.size() << " fonts -> " << out_path << "\n";
    return 0;
}
