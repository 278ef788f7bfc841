#pragma once
// Decoding scans safely. The decoder is chosen by the file's content, not its name;
// limits on bytes, pixels and pages are checked before memory is spent.
#include <opencv2/core.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace formscan {

struct DecodeLimits {
    std::int64_t max_bytes = 512LL << 20;      // per file
    std::int64_t max_pixels = 150'000'000;     // per page (A3 at 600 dpi is 70 Mpx)
    std::int64_t max_side = 30'000;            // per side (A3 at 1200 dpi is 20,000 px)
    int max_pages = 5000;                      // per file
    double pdf_render_dpi = 300;               // PDF pages are rendered at this dpi
};

enum class FileFormat { png, jpeg, tiff, pdf, unknown };
const char* to_string(FileFormat format);
FileFormat sniff_format(const void* data, std::size_t size);

struct DecodedPage {
    cv::Mat gray;                // 8-bit, 1 channel
    double dpi = 0;              // 0 when the file does not say
    bool bilevel = false;        // the source page was 1-bit
};

// An opened scan file. Errors throw formscan::Error with codes
// decode.{unreadable,too_large,unknown_format,corrupt,too_many_pages,too_many_pixels}.
class ScanFile {
public:
    virtual ~ScanFile() = default;
    virtual FileFormat format() const = 0;
    virtual int page_count() const = 0;
    virtual DecodedPage decode(int index) = 0;

    static std::unique_ptr<ScanFile> open(const std::string& path, const DecodeLimits& limits);
    static std::unique_ptr<ScanFile> open_memory(std::string bytes, const std::string& name,
                                                 const DecodeLimits& limits);
};

// Number of pages without decoding them (for progress); 0 when unreadable.
int count_pages(const std::string& path, const DecodeLimits& limits);

}  // namespace formscan
