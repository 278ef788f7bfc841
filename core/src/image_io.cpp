#include "formscan/image_io.hpp"

#include "formscan/error.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <cairo.h>
#include <poppler.h>
#include <tiffio.h>

#include <cmath>
#include <cstdarg>
#include <optional>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace formscan {

namespace {

[[noreturn]] void fail(const std::string& code, const std::string& name, const std::string& what) {
    throw Error("formscan.decode." + code, name + ": " + what);
}

void check_pixels(std::int64_t w, std::int64_t h, const DecodeLimits& limits, const std::string& name) {
    if (w <= 0 || h <= 0) fail("corrupt", name, "the page has no size");
    if (w > limits.max_side || h > limits.max_side)
        fail("too_many_pixels", name, std::to_string(w) + "x" + std::to_string(h) + " pixels: a side exceeds the limit of " +
                                          std::to_string(limits.max_side) + " (input.max_side)");
    // Divide rather than multiply: headers may claim sizes whose product overflows.
    if (w > limits.max_pixels / h)
        fail("too_many_pixels", name, std::to_string(w) + "x" + std::to_string(h) + " pixels exceeds the limit of " +
                                          std::to_string(limits.max_pixels) + " (input.max_pixels)");
}

std::uint32_t be32(const unsigned char* p) { return (std::uint32_t(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3]; }
std::uint16_t be16(const unsigned char* p) { return std::uint16_t((p[0] << 8) | p[1]); }

// ---- PNG and JPEG: size and resolution from the header, then OpenCV ----

class RasterFile : public ScanFile {
public:
    RasterFile(std::string bytes, std::string name, FileFormat format, const DecodeLimits& limits)
        : bytes_(std::move(bytes)), name_(std::move(name)), format_(format), limits_(limits) {
        if (format_ == FileFormat::png) read_png_header();
        else read_jpeg_header();
        check_pixels(width_, height_, limits_, name_);
    }
    FileFormat format() const override { return format_; }
    int page_count() const override { return 1; }
    DecodedPage decode(int index) override {
        if (index != 0) fail("no_page", name_, "has one page, page " + std::to_string(index) + " asked");
        cv::Mat raw(1, static_cast<int>(bytes_.size()), CV_8UC1, bytes_.data());
        DecodedPage page;
        page.gray = cv::imdecode(raw, cv::IMREAD_GRAYSCALE);
        if (page.gray.empty()) fail("corrupt", name_, std::string("the ") + to_string(format_) + " data cannot be decoded");
        page.dpi = dpi_;
        return page;
    }

private:
    void read_png_header() {
        auto* p = reinterpret_cast<const unsigned char*>(bytes_.data());
        std::size_t n = bytes_.size();
        if (n < 33 || std::memcmp(p + 12, "IHDR", 4) != 0) fail("corrupt", name_, "PNG header is missing");
        width_ = be32(p + 16);
        height_ = be32(p + 20);
        // Walk the chunks before the image data for pHYs (pixels per metre).
        std::size_t pos = 8;
        while (pos + 12 <= n) {
            std::uint32_t len = be32(p + pos);
            if (std::memcmp(p + pos + 4, "IDAT", 4) == 0 || len > n) break;
            if (std::memcmp(p + pos + 4, "pHYs", 4) == 0 && len >= 9 && pos + 8 + 9 <= n && p[pos + 16] == 1)
                dpi_ = be32(p + pos + 8) * 0.0254;
            pos += 12 + std::size_t(len);
        }
    }
    void read_jpeg_header() {
        auto* p = reinterpret_cast<const unsigned char*>(bytes_.data());
        std::size_t n = bytes_.size(), pos = 2;
        while (pos + 4 <= n) {
            if (p[pos] != 0xFF) { ++pos; continue; }
            unsigned marker = p[pos + 1];
            if (marker == 0xFF) { ++pos; continue; }
            if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) { pos += 2; continue; }
            std::size_t len = be16(p + pos + 2);
            if (len < 2 || pos + 2 + len > n) break;
            const unsigned char* seg = p + pos + 4;
            if (marker == 0xE0 && len >= 16 && std::memcmp(seg, "JFIF", 5) == 0) {
                unsigned units = seg[7], xd = be16(seg + 8);
                if (units == 1) dpi_ = xd;
                else if (units == 2) dpi_ = xd * 2.54;
            }
            bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof && len >= 7) {
                height_ = be16(seg + 1);
                width_ = be16(seg + 3);
                return;
            }
            if (marker == 0xDA) break;
            pos += 2 + len;
        }
        fail("corrupt", name_, "JPEG frame header is missing or truncated");
    }

    std::string bytes_;
    std::string name_;
    FileFormat format_;
    DecodeLimits limits_;
    std::int64_t width_ = 0, height_ = 0;
    double dpi_ = 0;
};

// ---- TIFF through libtiff, from memory ----

thread_local std::string tiff_error;

void tiff_error_handler(const char* module, const char* fmt, va_list ap) {
    char buf[512];
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    if (tiff_error.empty()) tiff_error = buf;
}

struct MemoryStream {
    const std::string* bytes;
    toff_t pos = 0;
};

tsize_t mem_read(thandle_t h, tdata_t buf, tsize_t size) {
    auto* s = static_cast<MemoryStream*>(h);
    if (s->pos >= s->bytes->size()) return 0;
    tsize_t n = std::min<tsize_t>(size, static_cast<tsize_t>(s->bytes->size() - s->pos));
    std::memcpy(buf, s->bytes->data() + s->pos, n);
    s->pos += n;
    return n;
}
tsize_t mem_write(thandle_t, tdata_t, tsize_t) { return 0; }
toff_t mem_seek(thandle_t h, toff_t off, int whence) {
    auto* s = static_cast<MemoryStream*>(h);
    toff_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? s->pos : s->bytes->size();
    s->pos = base + off;
    return s->pos;
}
int mem_close(thandle_t) { return 0; }
toff_t mem_size(thandle_t h) { return static_cast<MemoryStream*>(h)->bytes->size(); }
int mem_map(thandle_t, tdata_t*, toff_t*) { return 0; }
void mem_unmap(thandle_t, tdata_t, toff_t) {}

class TiffFile : public ScanFile {
public:
    TiffFile(std::string bytes, std::string name, const DecodeLimits& limits)
        : bytes_(std::move(bytes)), name_(std::move(name)), limits_(limits), stream_{&bytes_} {
        static const bool handlers = [] {
            TIFFSetErrorHandler(tiff_error_handler);
            TIFFSetWarningHandler(nullptr);
            return true;
        }();
        (void)handlers;
        tiff_error.clear();
        tif_ = TIFFClientOpen(name_.c_str(), "rm", &stream_, mem_read, mem_write, mem_seek, mem_close, mem_size,
                              mem_map, mem_unmap);
        if (!tif_) fail("corrupt", name_, "not a readable TIFF: " + tiff_error);
        pages_ = 0;
        do {
            if (++pages_ > limits_.max_pages) {
                TIFFClose(tif_);
                fail("too_many_pages", name_, "more than " + std::to_string(limits_.max_pages) + " pages (input.max_pages)");
            }
        } while (TIFFReadDirectory(tif_));
    }
    ~TiffFile() override {
        if (tif_) TIFFClose(tif_);
    }
    FileFormat format() const override { return FileFormat::tiff; }
    int page_count() const override { return pages_; }
    DecodedPage decode(int index) override {
        tiff_error.clear();
        if (index < 0 || index >= pages_ || !TIFFSetDirectory(tif_, static_cast<tdir_t>(index)))
            fail("corrupt", name_, "page " + std::to_string(index) + " cannot be opened: " + tiff_error);
        std::uint32_t w = 0, h = 0;
        TIFFGetField(tif_, TIFFTAG_IMAGEWIDTH, &w);
        TIFFGetField(tif_, TIFFTAG_IMAGELENGTH, &h);
        check_pixels(w, h, limits_, name_ + " page " + std::to_string(index));
        DecodedPage page;
        std::uint16_t bits = 0, unit = RESUNIT_INCH;
        TIFFGetFieldDefaulted(tif_, TIFFTAG_BITSPERSAMPLE, &bits);
        page.bilevel = bits == 1;
        float xres = 0;
        if (TIFFGetField(tif_, TIFFTAG_XRESOLUTION, &xres) && xres > 0) {
            TIFFGetFieldDefaulted(tif_, TIFFTAG_RESOLUTIONUNIT, &unit);
            page.dpi = unit == RESUNIT_CENTIMETER ? xres * 2.54 : unit == RESUNIT_NONE ? 0 : xres;
        }
        cv::Mat rgba(static_cast<int>(h), static_cast<int>(w), CV_8UC4);
        if (!TIFFReadRGBAImageOriented(tif_, w, h, reinterpret_cast<std::uint32_t*>(rgba.data), ORIENTATION_TOPLEFT, 1) ||
            !tiff_error.empty())
            fail("corrupt", name_, "page " + std::to_string(index) + " is truncated or corrupt: " +
                                       (tiff_error.empty() ? std::string("unreadable") : tiff_error));
        // libtiff's RGBA is R,G,B,A in memory order.
        cv::cvtColor(rgba, page.gray, cv::COLOR_RGBA2GRAY);
        return page;
    }

private:
    std::string bytes_;
    std::string name_;
    DecodeLimits limits_;
    MemoryStream stream_;
    TIFF* tif_ = nullptr;
    int pages_ = 0;
};

// ---- PDF through poppler (glib interface) ----
// A scanned page is one image covering the page: it is taken at its own resolution.
// Any other page is rendered at limits.pdf_render_dpi.

struct GObjectDeleter {
    void operator()(void* p) const {
        if (p) g_object_unref(p);
    }
};

cv::Mat surface_to_gray(cairo_surface_t* surface) {
    cairo_surface_flush(surface);
    int w = cairo_image_surface_get_width(surface), h = cairo_image_surface_get_height(surface);
    int stride = cairo_image_surface_get_stride(surface);
    unsigned char* data = cairo_image_surface_get_data(surface);
    cv::Mat gray;
    switch (cairo_image_surface_get_format(surface)) {
        case CAIRO_FORMAT_ARGB32:
        case CAIRO_FORMAT_RGB24:
            cv::cvtColor(cv::Mat(h, w, CV_8UC4, data, stride), gray, cv::COLOR_BGRA2GRAY);
            break;
        case CAIRO_FORMAT_A8:
            gray = 255 - cv::Mat(h, w, CV_8UC1, data, stride);
            break;
        case CAIRO_FORMAT_A1: {
            gray.create(h, w, CV_8UC1);
            for (int y = 0; y < h; ++y) {
                auto* row = reinterpret_cast<const std::uint32_t*>(data + y * stride);
                for (int x = 0; x < w; ++x) gray.at<unsigned char>(y, x) = ((row[x >> 5] >> (x & 31)) & 1) ? 0 : 255;
            }
            break;
        }
        default: return {};
    }
    return gray;
}

class PdfFile : public ScanFile {
public:
    PdfFile(std::string bytes, std::string name, const DecodeLimits& limits)
        : bytes_(std::move(bytes)), name_(std::move(name)), limits_(limits) {
        GBytes* data = g_bytes_new_static(bytes_.data(), bytes_.size());
        GError* error = nullptr;
        doc_.reset(poppler_document_new_from_bytes(data, nullptr, &error));
        g_bytes_unref(data);
        if (!doc_) {
            std::string why = error ? error->message : "unknown error";
            if (error) g_error_free(error);
            fail("corrupt", name_, "not a readable PDF: " + why);
        }
        pages_ = poppler_document_get_n_pages(doc_.get());
        if (pages_ > limits_.max_pages)
            fail("too_many_pages", name_, std::to_string(pages_) + " pages exceeds the limit of " +
                                              std::to_string(limits_.max_pages) + " (input.max_pages)");
    }
    FileFormat format() const override { return FileFormat::pdf; }
    int page_count() const override { return pages_; }
    DecodedPage decode(int index) override {
        const std::string where = name_ + " page " + std::to_string(index);
        std::unique_ptr<PopplerPage, GObjectDeleter> page(poppler_document_get_page(doc_.get(), index));
        if (!page) fail("corrupt", name_, "page " + std::to_string(index) + " cannot be opened");
        double width_pt = 0, height_pt = 0;
        poppler_page_get_size(page.get(), &width_pt, &height_pt);
        if (!(width_pt > 0 && height_pt > 0)) fail("corrupt", where, "the page has no size");
        if (auto scanned = embedded_scan(page.get(), width_pt, height_pt, where)) return *scanned;

        double dpi = limits_.pdf_render_dpi;
        int w = static_cast<int>(std::ceil(width_pt / 72.0 * dpi)), h = static_cast<int>(std::ceil(height_pt / 72.0 * dpi));
        check_pixels(w, h, limits_, where);
        cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
        cairo_t* cr = cairo_create(surface);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        cairo_scale(cr, dpi / 72.0, dpi / 72.0);
        poppler_page_render(page.get(), cr);
        cairo_destroy(cr);
        DecodedPage out;
        out.gray = surface_to_gray(surface).clone();
        cairo_surface_destroy(surface);
        if (out.gray.empty()) fail("corrupt", where, "the page cannot be rendered");
        out.dpi = dpi;
        return out;
    }

private:
    // The page's one image when it covers nearly all of the page, at its own resolution.
    std::optional<DecodedPage> embedded_scan(PopplerPage* page, double width_pt, double height_pt, const std::string& where) {
        GList* mappings = poppler_page_get_image_mapping(page);
        std::optional<DecodedPage> out;
        if (mappings && !mappings->next) {
            auto* m = static_cast<PopplerImageMapping*>(mappings->data);
            double area_w = m->area.x2 - m->area.x1, area_h = m->area.y2 - m->area.y1;
            if (area_w * area_h >= 0.85 * width_pt * height_pt) {
                cairo_surface_t* image = poppler_page_get_image(page, m->image_id);
                if (image) {
                    int w = cairo_image_surface_get_width(image), h = cairo_image_surface_get_height(image);
                    try {
                        check_pixels(w, h, limits_, where);
                    } catch (...) {
                        cairo_surface_destroy(image);
                        poppler_page_free_image_mapping(mappings);
                        throw;
                    }
                    DecodedPage d;
                    d.gray = surface_to_gray(image).clone();
                    d.dpi = w / (area_w / 72.0);
                    d.bilevel = cairo_image_surface_get_format(image) == CAIRO_FORMAT_A1;
                    cairo_surface_destroy(image);
                    if (!d.gray.empty()) out = d;
                }
            }
        }
        poppler_page_free_image_mapping(mappings);
        return out;
    }

    std::string bytes_;
    std::string name_;
    DecodeLimits limits_;
    std::unique_ptr<PopplerDocument, GObjectDeleter> doc_;
    int pages_ = 0;
};

std::string read_file(const std::string& path, const DecodeLimits& limits) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec) fail("unreadable", path, "cannot read the file: " + ec.message());
    if (static_cast<std::int64_t>(size) > limits.max_bytes)
        fail("too_large", path, std::to_string(size) + " bytes exceeds the limit of " + std::to_string(limits.max_bytes) +
                                    " (input.max_bytes)");
    std::ifstream in(path, std::ios::binary);
    std::string bytes(size, '\0');
    if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) fail("unreadable", path, "cannot read the file");
    return bytes;
}

}  // namespace

const char* to_string(FileFormat format) {
    switch (format) {
        case FileFormat::png: return "PNG";
        case FileFormat::jpeg: return "JPEG";
        case FileFormat::tiff: return "TIFF";
        case FileFormat::pdf: return "PDF";
        case FileFormat::unknown: return "unknown";
    }
    return "unknown";
}

FileFormat sniff_format(const void* data, std::size_t size) {
    auto* p = static_cast<const unsigned char*>(data);
    if (size >= 8 && std::memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0) return FileFormat::png;
    if (size >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) return FileFormat::jpeg;
    if (size >= 4 && (std::memcmp(p, "II*\0", 4) == 0 || std::memcmp(p, "MM\0*", 4) == 0)) return FileFormat::tiff;
    if (size >= 4 && (std::memcmp(p, "II+\0", 4) == 0 || std::memcmp(p, "MM\0+", 4) == 0)) return FileFormat::tiff;
    // PDF: "%PDF-" within the first 1024 bytes (some writers put junk before it)
    std::size_t limit = std::min<std::size_t>(size, 1024);
    for (std::size_t i = 0; i + 5 <= limit; ++i)
        if (std::memcmp(p + i, "%PDF-", 5) == 0) return FileFormat::pdf;
    return FileFormat::unknown;
}

std::unique_ptr<ScanFile> ScanFile::open_memory(std::string bytes, const std::string& name, const DecodeLimits& limits) {
    if (static_cast<std::int64_t>(bytes.size()) > limits.max_bytes)
        fail("too_large", name, std::to_string(bytes.size()) + " bytes exceeds the limit (input.max_bytes)");
    switch (sniff_format(bytes.data(), bytes.size())) {
        case FileFormat::png: return std::make_unique<RasterFile>(std::move(bytes), name, FileFormat::png, limits);
        case FileFormat::jpeg: return std::make_unique<RasterFile>(std::move(bytes), name, FileFormat::jpeg, limits);
        case FileFormat::tiff: return std::make_unique<TiffFile>(std::move(bytes), name, limits);
        case FileFormat::pdf: return std::make_unique<PdfFile>(std::move(bytes), name, limits);
        case FileFormat::unknown: break;
    }
    fail("unknown_format", name, "not a PNG, JPEG, TIFF or PDF file (judged by its content)");
}

std::unique_ptr<ScanFile> ScanFile::open(const std::string& path, const DecodeLimits& limits) {
    return open_memory(read_file(path, limits), path, limits);
}

int count_pages(const std::string& path, const DecodeLimits& limits) {
    try {
        return ScanFile::open(path, limits)->page_count();
    } catch (const Error&) {
        return 0;
    }
}

}  // namespace formscan
