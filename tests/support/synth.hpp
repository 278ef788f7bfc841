#pragma once
// The scan synthesiser: renders filled forms with known ground truth, damages them as
// scanners do, and writes the scans and truth.jsonl (the record format, each field
// with its "class": printed, handwritten, mark or empty). Used by `formscan synth`,
// the tests and the benchmarks.
#include "form_renderer.hpp"
#include "scan_damage.hpp"

#include <map>
#include <string>
#include <vector>

namespace formscan::synth {

struct SynthOptions {
    std::string out_dir;
    int pages = 10;
    std::vector<std::string> templates = {"zj-hedui"};  // drawn in turn
    unsigned seed = 1;
    std::vector<std::string> formats = {"png", "jpeg", "tiff-g4", "tiff-lzw", "pdf"};  // chosen at random
    double dpi_min = 150, dpi_max = 300;
    int multipage = 1;              // pages per TIFF file when > 1 (TIFF formats only)
    RenderOptions render;
    DamageOptions damage;
    // When set: the pages `formscan print` makes for a list of random residents (this batch
    // name; rows a page on the 核对表), filled in by a surveyor and scanned out of order.
    // The list knows only part of each person, and is sometimes out of date (a printed value
    // struck through and written anew). The print, printed.pdf and printed.pdf.batch.jsonl,
    // goes to the folder OUT_DIR-print beside the scans. One template only.
    std::string printed_batch;
    int printed_rows = 10;
};

struct SynthSummary {
    int pages = 0;
    int files = 0;
    int records = 0;
    std::string truth_path;
};

// Throws formscan::Error synth.* for unknown templates or formats and unwritable folders.
SynthSummary synthesize(const std::map<std::string, FormTemplate>& templates, const SynthData& data,
                        const SynthOptions& options);

// Image writers, also used by tests to make inputs of every kind.
void write_png(const std::string& path, const cv::Mat& gray);
void write_jpeg(const std::string& path, const cv::Mat& gray, int quality);
// Appends pages to one TIFF; 1-bit Group 4 when `bilevel`, else 8-bit LZW.
void write_tiff(const std::string& path, const std::vector<cv::Mat>& pages, double dpi, bool bilevel);
// The same with a libtiff compression of choice (COMPRESSION_CCITTFAX3, _PACKBITS, ...);
// the fax codings are 1-bit, the others 8-bit.
void write_tiff(const std::string& path, const std::vector<cv::Mat>& pages, double dpi, int compression);
void write_pdf(const std::string& path, const std::vector<cv::Mat>& pages, double dpi);

}  // namespace formscan::synth
