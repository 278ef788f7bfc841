// page_code: reads the QR code `formscan print` puts on every page (form, batch, page of
// the batch, the person of each row), in any orientation, before the page is prepared.
// See README.md in this folder.
#include "formscan/page_code.hpp"
#include "formscan/stage.hpp"

#include <Poco/ClassLibrary.h>
#include <Poco/Logger.h>
#include <opencv2/imgproc.hpp>
#include <zbar.h>

namespace formscan {

class PageCodeStage : public Stage {
public:
    StageInfo info() const override {
        return {"page_code",
                "1.0.0",
                "reads the page's printed QR code (form, batch, page, the person of each row)",
                {kHasImage},
                {},
                {
                    {"search_px", ParamType::integer, "1600", 400, 10000,
                     "the longer side the page is scaled to for a first, fast search (then the full page)"},
                }};
    }

    void configure(const ParamValues& params, const StageEnvironment&) override { search_px_ = static_cast<int>(params.get_int("search_px")); }
    PageCodeStage() = default;

    void process(PageContext& ctx) override {
        const cv::Mat& image = ctx.page.image;
        std::string text;
        const double scale = std::min(1.0, static_cast<double>(search_px_) / std::max(image.cols, image.rows));
        cv::Mat small = image;
        if (scale < 1) {
            cv::resize(image, small, cv::Size(), scale, scale, cv::INTER_AREA);
            text = decode(small);
        }
        // The slower searches only on pages that carry formscan print's corner marks (most
        // archive pages have no code at all): at full size, then cleaned.
        if (text.empty() && (scale == 1 || has_corner_marks(small, ctx.form))) {
            if (scale < 1) text = decode(image);
            if (text.empty()) text = decode_cleaned(image);
        }
        if (text.empty()) return;  // no code: the layout is found as on any page
        auto code = parse_page_code(text);
        if (!code) {
            ctx.page.add_issue("page_code", "code.foreign", "a QR code that is not a formscan page code");
            return;
        }
        if (code->template_id != ctx.form.id)
            ctx.page.add_issue("page_code", "code.template", "the page's code names template " + code->template_id + ", not " + ctx.form.id);
        ctx.page.code = text;
        Poco::Logger::get("formscan.stage.page_code").debug("%s page %d: batch %s page %d", ctx.page.source, ctx.page.index, code->batch, code->page);
    }

private:
    // Three or more of the print's solid squares, each near a corner of the page.
    static bool has_corner_marks(const cv::Mat& gray, const FormTemplate& form) {
        const double px_per_mm = std::max(gray.cols, gray.rows) / std::max(form.page_width_mm, form.page_height_mm);
        const auto marks = find_corner_marks(gray, kCornerMarkMm * px_per_mm, 0.6, 0.7);
        return std::count_if(marks.begin(), marks.end(), [](const auto& m) { return m.has_value(); }) >= 3;
    }

    // A scan's noise, a 1-bit scan's eaten or swollen modules: the code again, binarised
    // after a blur, with gaps closed, with specks opened.
    std::string decode_cleaned(const cv::Mat& gray) {
        cv::Mat smooth, binary;
        cv::GaussianBlur(gray, smooth, cv::Size(3, 3), 0);
        cv::threshold(smooth, binary, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
        std::string text = decode(binary);
        for (int size : {2, 3}) {
            if (!text.empty()) break;
            cv::Mat swollen, thinned;
            const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(size, size));
            cv::erode(binary, swollen, kernel);  // ink is dark: eroding the paper swells the ink
            text = decode(swollen);
            if (!text.empty()) break;
            cv::dilate(binary, thinned, kernel);
            text = decode(thinned);
        }
        if (text.empty()) {
            cv::Mat larger;
            cv::resize(smooth, larger, cv::Size(), 2, 2, cv::INTER_CUBIC);
            text = decode(larger);
        }
        return text;
    }

    // zbar, as Debian's OpenCV is built without a QR decoder (only a detector).
    std::string decode(const cv::Mat& gray) {
        cv::Mat page = gray.isContinuous() ? gray : gray.clone();
        zbar::Image image(static_cast<unsigned>(page.cols), static_cast<unsigned>(page.rows), "Y800", page.data,
                          static_cast<unsigned long>(page.total()));
        if (scanner_.scan(image) <= 0) return {};
        for (auto symbol = image.symbol_begin(); symbol != image.symbol_end(); ++symbol)
            if (symbol->get_type() == zbar::ZBAR_QRCODE) return symbol->get_data();
        return {};
    }

    zbar::ImageScanner scanner_ = [] {
        zbar::ImageScanner s;
        s.set_config(zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE, 0);
        s.set_config(zbar::ZBAR_QRCODE, zbar::ZBAR_CFG_ENABLE, 1);
        return s;
    }();
    int search_px_ = 1600;
};

}  // namespace formscan

POCO_BEGIN_NAMED_MANIFEST(FormscanV2, formscan::Stage)
POCO_EXPORT_CLASS(formscan::PageCodeStage)
POCO_END_MANIFEST
