#include "formscan/image_convert.hpp"

#include "formscan/error.hpp"

#include <leptonica/allheaders.h>

namespace formscan {

void PixDeleter::operator()(Pix* pix) const {
    if (pix) pixDestroy(&pix);
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

}  // namespace formscan
