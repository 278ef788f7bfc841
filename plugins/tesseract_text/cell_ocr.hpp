#pragma once
// One worker's Tesseract engines (created once, reused for every cell): chi_sim for
// Chinese text, eng for digit strings. Not thread-safe: one CellOcr per stage instance.
#include <opencv2/core.hpp>
#include <tesseract/baseapi.h>

#include <memory>
#include <string>
#include <vector>

namespace formscan {

struct OcrSymbol {
    std::string text;
    cv::Rect box;       // in the image given to symbols()
    double confidence;  // 0..1
};

struct OcrResult {
    std::string text;
    double confidence = 0;               // 0..1
    std::vector<double> char_confidence;  // 0..1, each character of text but spaces; empty when unknown
    std::vector<OcrSymbol> symbols;       // as recognised, boxes in the image read
};

class CellOcr {
public:
    // Chinese from `chinese_dir`/`chinese_model`.traineddata, digits and Latin from
    // `tessdata_dir`/eng.traineddata. Throws formscan::Error ocr.init when one cannot be loaded.
    CellOcr(const std::string& tessdata_dir, const std::string& chinese_dir, const std::string& chinese_model);
    ~CellOcr();
    // Reads black-on-white text of `lines` lines (joined without breaks); whitelist "" =
    // the language's full set.
    OcrResult read(const cv::Mat& bw, bool chinese, const std::string& whitelist, int lines = 1);
    // One line's characters, each with Tesseract's alternatives and their probabilities.
    std::vector<std::vector<std::pair<std::string, double>>> choices(const cv::Mat& bw, bool chinese,
                                                                     const std::string& whitelist);
    // Every symbol with its box, for locating printed labels on a line.
    std::vector<OcrSymbol> symbols(const cv::Mat& gray, bool chinese);

private:
    tesseract::TessBaseAPI& engine(bool chinese, const std::string& whitelist);
    std::unique_ptr<tesseract::TessBaseAPI> chinese_, latin_;
    std::string chinese_whitelist_ = "-", latin_whitelist_ = "-";
};

}  // namespace formscan
