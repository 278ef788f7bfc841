#include "formscan/image_convert.hpp"

#include "formscan/error.hpp"

#include <leptonica/allheaders.h>

namespace formscan {

void PixDeleter::operator()(Pix* pix) const {
    if (pix) pixDestroy(&pix);
}

PixPtr to_pix_gray(const cv::Mat& gray) {
    CV_Assert(gray.type() == CV_8UC1);
    PixPtr pix(pixCreate(gray.cols, gray.rows, 8));
    if (!pix) throw Error("formscan.image.alloc", "cannot allocate a Leptonica image");
    l_uint32* data = pixGetData(pix.get());
    int wpl = pixGetWpl(pix.get());
    for (int y = 0; y < gray.rows; ++y) {
        const uchar* src = gray.ptr<uchar>(y);
        l_uint32* line = data + y * wpl;
        for (int x = 0; x < gray.cols; ++x) SET_DATA_BYTE(line, x, src[x]);
    }
    return pix;
}

PixPtr to_pix_binary(const cv::Mat& ink) {
    CV_Assert(ink.type() == CV_8UC1);
    PixPtr pix(pixCreate(ink.cols, ink.rows, 1));
    if (!pix) throw Error("formscan.image.alloc", "cannot allocate a Leptonica image");
    l_uint32* data = pixGetData(pix.get());
    int wpl = pixGetWpl(pix.get());
    for (int y = 0; y < ink.rows; ++y) {
        const uchar* src = ink.ptr<uchar>(y);
        l_uint32* line = data + y * wpl;
        for (int x = 0; x < ink.cols; ++x)
            if (src[x]) SET_DATA_BIT(line, x);
    }
    return pix;
}

cv::Mat from_pix(const Pix* cpix) {
    Pix* pix = const_cast<Pix*>(cpix);
    int w = pixGetWidth(pix), h = pixGetHeight(pix), d = pixGetDepth(pix);
    cv::Mat out(h, w, CV_8UC1);
    l_uint32* data = pixGetData(pix);
    int wpl = pixGetWpl(pix);
    for (int y = 0; y < h; ++y) {
        l_uint32* line = data + y * wpl;
        uchar* dst = out.ptr<uchar>(y);
        if (d == 1)
            for (int x = 0; x < w; ++x) dst[x] = GET_DATA_BIT(line, x) ? 0 : 255;
        else if (d == 8)
            for (int x = 0; x < w; ++x) dst[x] = static_cast<uchar>(GET_DATA_BYTE(line, x));
        else
            throw Error("formscan.image.depth", "unsupported Leptonica depth " + std::to_string(d));
    }
    return out;
}

}  // namespace formscan
