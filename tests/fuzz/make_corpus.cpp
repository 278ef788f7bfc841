// Writes the seed inputs of tests/fuzz/corpus: one small file of every kind the
// decoder reads. Run by hand when the decoder learns a new kind:
//   build/tests/make_fuzz_corpus tests/fuzz/corpus
#include "synth.hpp"

#include <cairo-pdf.h>
#include <opencv2/imgproc.hpp>

#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: make_fuzz_corpus DIR\n";
        return 2;
    }
    std::string dir = argv[1];
    cv::Mat page(60, 84, CV_8UC1, cv::Scalar(255));
    cv::rectangle(page, cv::Rect(6, 8, 70, 40), cv::Scalar(0), 1);
    cv::line(page, {6, 20}, {76, 20}, cv::Scalar(0));
    cv::line(page, {30, 8}, {30, 48}, cv::Scalar(0));
    using namespace formscan::synth;
    write_png(dir + "/seed.png", page);
    write_jpeg(dir + "/seed.jpg", page, 60);
    write_tiff(dir + "/seed_g4_2pages.tif", {page, 255 - page}, 200, true);
    write_tiff(dir + "/seed_lzw.tif", {page}, 96, false);
    write_pdf(dir + "/seed_scan.pdf", {page}, 72);
    // A PDF page with vector content only: rendered, not extracted.
    cairo_surface_t* pdf = cairo_pdf_surface_create((dir + "/seed_vector.pdf").c_str(), 60, 40);
    cairo_t* cr = cairo_create(pdf);
    cairo_rectangle(cr, 5, 5, 50, 30);
    cairo_stroke(cr);
    cairo_destroy(cr);
    cairo_surface_destroy(pdf);
    return 0;
}
