#include "formscan/error.hpp"
#include "formscan/image_io.hpp"
#include "synth.hpp"
#include "test_support.hpp"

#include <cairo-pdf.h>
#include <tiffio.h>
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include <filesystem>

#ifndef FORMSCAN_FUZZ_INPUTS
#error "FORMSCAN_FUZZ_INPUTS must name tests/fuzz"
#endif

using namespace formscan;

namespace {

// A page-like test image with known content: dark bars on white.
cv::Mat test_page(int w = 620, int h = 440) {
    cv::Mat img(h, w, CV_8UC1, cv::Scalar(255));
    for (int i = 0; i < 8; ++i) cv::rectangle(img, cv::Rect(20 + i * 70, 30 + i * 40, 50, 20), cv::Scalar(0), cv::FILLED);
    return img;
}

double mean_abs_diff(const cv::Mat& a, const cv::Mat& b) {
    cv::Mat d;
    cv::absdiff(a, b, d);
    return cv::mean(d)[0];
}


}  // namespace

TEST(ImageIo, EveryFormatDecodesToTheSamePage) {
    std::string dir = test::temp_dir("io");
    cv::Mat page = test_page();
    synth::write_png(dir + "/a.png", page);
    synth::write_jpeg(dir + "/a.jpg", page, 90);
    synth::write_tiff(dir + "/a_lzw.tif", {page}, 200, false);
    synth::write_tiff(dir + "/a_g4.tif", {page}, 300, true);
    synth::write_pdf(dir + "/a.pdf", {page}, 100);
    synth::write_tiff(dir + "/a_g3.tif", {page}, 200, COMPRESSION_CCITTFAX3);
    synth::write_tiff(dir + "/a_packbits.tif", {page}, 200, COMPRESSION_PACKBITS);
    for (const char* name : {"a.png", "a.jpg", "a_lzw.tif", "a_g4.tif", "a.pdf", "a_g3.tif", "a_packbits.tif"}) {
        DecodeLimits limits;
        limits.pdf_render_dpi = 100;
        auto file = ScanFile::open(dir + "/" + name, limits);
        ASSERT_EQ(file->page_count(), 1) << name;
        DecodedPage d = file->decode(0);
        ASSERT_EQ(d.gray.size(), page.size()) << name;
        EXPECT_LT(mean_abs_diff(d.gray, page), 6.0) << name;
    }
    EXPECT_DOUBLE_EQ(ScanFile::open(dir + "/a_lzw.tif", {})->decode(0).dpi, 200);
    EXPECT_TRUE(ScanFile::open(dir + "/a_g4.tif", {})->decode(0).bilevel);
}

TEST(ImageIo, MultiPageTiffAndPdfGiveEveryPage) {
    std::string dir = test::temp_dir("io");
    std::vector<cv::Mat> pages = {test_page(), 255 - test_page(), test_page(300, 200)};
    synth::write_tiff(dir + "/m.tif", pages, 150, true);
    synth::write_pdf(dir + "/m.pdf", pages, 72);
    auto tif = ScanFile::open(dir + "/m.tif", {});
    ASSERT_EQ(tif->page_count(), 3);
    EXPECT_EQ(tif->decode(2).gray.size(), pages[2].size());
    EXPECT_LT(mean_abs_diff(tif->decode(1).gray, pages[1]), 3.0);
    DecodeLimits limits;
    limits.pdf_render_dpi = 72;
    EXPECT_EQ(ScanFile::open(dir + "/m.pdf", limits)->page_count(), 3);
}

TEST(ImageIo, PdfPagesWithoutAScanAreRenderedAtTheConfiguredResolution) {
    std::string dir = test::temp_dir("io");
    cairo_surface_t* pdf = cairo_pdf_surface_create((dir + "/vector.pdf").c_str(), 144, 72);  // 2 x 1 inch
    cairo_t* cr = cairo_create(pdf);
    cairo_rectangle(cr, 10, 10, 100, 40);
    cairo_fill(cr);
    cairo_destroy(cr);
    cairo_surface_destroy(pdf);
    DecodeLimits limits;
    limits.pdf_render_dpi = 150;
    DecodedPage page = ScanFile::open(dir + "/vector.pdf", limits)->decode(0);
    EXPECT_EQ(page.gray.cols, 300);
    EXPECT_EQ(page.gray.rows, 150);
    EXPECT_DOUBLE_EQ(page.dpi, 150);
    EXPECT_LT(page.gray.at<unsigned char>(60, 100), 50);  // inside the filled rectangle

    // A scanned page keeps its own resolution, whatever the render setting.
    synth::write_pdf(dir + "/scan.pdf", {test_page()}, 200);
    DecodedPage scan = ScanFile::open(dir + "/scan.pdf", limits)->decode(0);
    EXPECT_EQ(scan.gray.size(), test_page().size());
    EXPECT_NEAR(scan.dpi, 200, 1);
}

TEST(ImageIo, TheDecoderIsChosenByContentNotName) {
    std::string dir = test::temp_dir("io");
    synth::write_tiff(dir + "/really_a_tiff.png", {test_page()}, 300, true);
    auto file = ScanFile::open(dir + "/really_a_tiff.png", {});
    EXPECT_EQ(file->format(), FileFormat::tiff);
    test::write_text(dir + "/notes.png", "these are notes, not a scan");
    EXPECT_EQ(test::error_code([&] { ScanFile::open(dir + "/notes.png", {}); }), "formscan.decode.unknown_format");
}

TEST(ImageIo, TruncatedFilesAreErrorsForThatFile) {
    std::string dir = test::temp_dir("io");
    synth::write_tiff(dir + "/t.tif", {test_page(1200, 900)}, 300, false);
    synth::write_png(dir + "/t.png", test_page(1200, 900));
    for (const char* name : {"t.tif", "t.png"}) {
        std::string bytes = test::read_text(dir + "/" + name);
        test::write_text(dir + "/cut_" + name, bytes.substr(0, bytes.size() / 2));
        std::string code = test::error_code([&] { ScanFile::open(dir + "/cut_" + name, {})->decode(0); });
        EXPECT_EQ(code, "formscan.decode.corrupt") << name;
    }
}

TEST(ImageIo, DecompressionBombsAreRejectedBeforeDecoding) {
    std::string dir = test::temp_dir("io");
    // A PNG header that claims 100000 x 100000 pixels, with almost no data behind it.
    std::string png = "\x89PNG\r\n\x1a\n";
    png += std::string("\0\0\0\x0dIHDR", 8);
    png += std::string("\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x00\x00\x00\x00", 13);
    png += std::string("\0\0\0\0", 4);
    test::write_text(dir + "/bomb.png", png);
    EXPECT_EQ(test::error_code([&] { ScanFile::open(dir + "/bomb.png", {}); }), "formscan.decode.too_many_pixels");

    DecodeLimits small;
    small.max_bytes = 2048;
    cv::Mat noisy(400, 400, CV_8UC1);
    cv::randu(noisy, 0, 255);  // incompressible, so the file is large
    synth::write_png(dir + "/big.png", noisy);
    EXPECT_EQ(test::error_code([&] { ScanFile::open(dir + "/big.png", small); }), "formscan.decode.too_large");
    DecodeLimits few;
    few.max_pages = 2;
    synth::write_tiff(dir + "/pages.tif", {test_page(), test_page(), test_page()}, 300, true);
    EXPECT_EQ(test::error_code([&] { ScanFile::open(dir + "/pages.tif", few); }), "formscan.decode.too_many_pages");
}

// Every seed of the fuzzing corpus and every input the fuzzer once broke the decoder
// with: each is read or refused with a formscan::Error, never a crash.
TEST(ImageIo, FuzzCorpusAndRegressionInputsAreReadOrRefusedCleanly) {
    namespace fs = std::filesystem;
    int files = 0;
    for (const char* sub : {"corpus", "regressions"}) {
        fs::path dir = fs::path(FORMSCAN_FUZZ_INPUTS) / sub;
        if (!fs::exists(dir)) continue;
        for (const auto& entry : fs::directory_iterator(dir)) {
            if (!entry.is_regular_file() || entry.path().filename() == "README.md") continue;
            ++files;
            DecodeLimits limits;
            limits.max_pixels = 4'000'000;
            limits.max_pages = 4;
            limits.pdf_render_dpi = 36;
            try {
                auto file = ScanFile::open(entry.path().string(), limits);
                for (int i = 0; i < file->page_count(); ++i) {
                    try {
                        EXPECT_FALSE(file->decode(i).gray.empty()) << entry.path();
                    } catch (const Error&) {
                    }
                }
            } catch (const Error&) {
            }
        }
    }
    EXPECT_GE(files, 6);
}
