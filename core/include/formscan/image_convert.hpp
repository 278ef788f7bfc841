#pragma once
// From OpenCV images to Leptonica PIX. The returned PIX is owned by
// the caller (pixDestroy); PixPtr does that automatically.
#include <opencv2/core.hpp>

#include <memory>

struct Pix;

namespace formscan {

struct PixDeleter {
    void operator()(Pix* pix) const;
};
using PixPtr = std::unique_ptr<Pix, PixDeleter>;

PixPtr to_pix_binary(const cv::Mat& binary_ink);     // 1 bpp, non-zero = ink (black)

}  // namespace formscan
