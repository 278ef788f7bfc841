#pragma once
// Conversions between OpenCV images and Leptonica PIX. The returned PIX is owned by
// the caller (pixDestroy); PixPtr does that automatically.
#include <opencv2/core.hpp>

#include <memory>

struct Pix;

namespace formscan {

struct PixDeleter {
    void operator()(Pix* pix) const;
};
using PixPtr = std::unique_ptr<Pix, PixDeleter>;

PixPtr to_pix_gray(const cv::Mat& gray);            // 8 bpp
PixPtr to_pix_binary(const cv::Mat& binary_ink);     // 1 bpp, non-zero = ink (black)
cv::Mat from_pix(const Pix* pix);                    // 8-bit grey (1 bpp -> 0/255)

}  // namespace formscan
