#include "cell_ocr.hpp"

#include "formscan/error.hpp"
#include "formscan/text_utils.hpp"

#include <tesseract/resultiterator.h>

#include <algorithm>

namespace formscan {

namespace {

std::unique_ptr<tesseract::TessBaseAPI> make_engine(const std::string& dir, const char* lang) {
    auto api = std::make_unique<tesseract::TessBaseAPI>();
    if (api->Init(dir.c_str(), lang, tesseract::OEM_LSTM_ONLY) != 0)
        throw Error("formscan.ocr.init", std::string("Tesseract cannot load ") + lang + ".traineddata from " + dir +
                                             " (run scripts/setup.sh; or set TESSDATA_PREFIX)");
    api->SetVariable("debug_file", "/dev/null");
    api->SetVariable("user_defined_dpi", "300");
    api->SetVariable("lstm_choice_mode", "2");  // alternatives for every character
    return api;
}

void set_image(tesseract::TessBaseAPI& api, const cv::Mat& img) {
    api.SetImage(img.data, img.cols, img.rows, 1, static_cast<int>(img.step));
    api.SetSourceResolution(300);
}

// Every symbol of the engine's last recognition, with its box and confidence.
std::vector<OcrSymbol> recognised_symbols(tesseract::TessBaseAPI& api) {
    std::vector<OcrSymbol> out;
    std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
    if (!it || it->Empty(tesseract::RIL_SYMBOL)) return out;
    do {
        if (it->Empty(tesseract::RIL_SYMBOL)) continue;
        std::unique_ptr<char[]> sym(it->GetUTF8Text(tesseract::RIL_SYMBOL));
        if (!sym) continue;
        int x0, y0, x1, y1;
        it->BoundingBox(tesseract::RIL_SYMBOL, &x0, &y0, &x1, &y1);
        out.push_back({sym.get(), cv::Rect(cv::Point(x0, y0), cv::Point(x1, y1)),
                       std::clamp(it->Confidence(tesseract::RIL_SYMBOL) / 100.0, 0.0, 1.0)});
    } while (it->Next(tesseract::RIL_SYMBOL));
    return out;
}

// The confidence of each character of `text` (spaces left out), from the symbols of a
// recognition; empty when the symbols do not spell the text.
std::vector<double> symbol_confidences(const std::vector<OcrSymbol>& symbols, const std::string& text) {
    std::vector<double> out;
    std::string spelled;
    for (const auto& symbol : symbols)
        for (const auto& c : utf8_chars(remove_spaces(symbol.text))) {
            out.push_back(symbol.confidence);
            spelled += c;
        }
    if (spelled != remove_spaces(text)) out.clear();
    return out;
}

}  // namespace

CellOcr::CellOcr(const std::string& tessdata_dir, const std::string& chinese_dir, const std::string& chinese_model)
    : chinese_(make_engine(chinese_dir, chinese_model.c_str())), latin_(make_engine(tessdata_dir, "eng")) {}

CellOcr::~CellOcr() {
    if (chinese_) chinese_->End();
    if (latin_) latin_->End();
}

tesseract::TessBaseAPI& CellOcr::engine(bool chinese, const std::string& whitelist) {
    auto& api = chinese ? *chinese_ : *latin_;
    std::string& current = chinese ? chinese_whitelist_ : latin_whitelist_;
    if (current != whitelist) {
        api.SetVariable("tessedit_char_whitelist", whitelist.c_str());
        current = whitelist;
    }
    return api;
}

OcrResult CellOcr::read(const cv::Mat& bw, bool chinese, const std::string& whitelist, int lines) {
    auto& api = engine(chinese, whitelist);
    api.SetPageSegMode(lines > 1 ? tesseract::PSM_SINGLE_BLOCK : tesseract::PSM_SINGLE_LINE);
    set_image(api, bw);
    std::unique_ptr<char[]> text(api.GetUTF8Text());
    OcrResult result;
    result.text = text ? text.get() : "";
    result.text.erase(std::remove(result.text.begin(), result.text.end(), '\n'), result.text.end());
    while (!result.text.empty() && result.text.back() == ' ') result.text.pop_back();
    result.confidence = std::max(0, api.MeanTextConf()) / 100.0;
    result.symbols = recognised_symbols(api);
    result.char_confidence = symbol_confidences(result.symbols, result.text);
    return result;
}

std::vector<std::vector<std::pair<std::string, double>>> CellOcr::choices(const cv::Mat& bw, bool chinese,
                                                                            const std::string& whitelist) {
    auto& api = engine(chinese, whitelist);
    api.SetPageSegMode(tesseract::PSM_SINGLE_LINE);
    set_image(api, bw);
    std::vector<std::vector<std::pair<std::string, double>>> out;
    if (api.Recognize(nullptr) != 0) return out;
    std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
    // An empty result has an iterator with no word: Tesseract asserts (and aborts the
    // process) if a ChoiceIterator is made on it.
    if (!it || it->Empty(tesseract::RIL_SYMBOL)) return out;
    do {
        if (it->Empty(tesseract::RIL_SYMBOL)) continue;
        std::vector<std::pair<std::string, double>> alternatives;
        tesseract::ChoiceIterator choice(*it);
        do {
            const char* text = choice.GetUTF8Text();
            if (text) alternatives.push_back({text, std::clamp(choice.Confidence() / 100.0, 0.0, 1.0)});
        } while (choice.Next());
        if (!alternatives.empty()) out.push_back(std::move(alternatives));
    } while (it->Next(tesseract::RIL_SYMBOL));
    return out;
}

std::vector<OcrSymbol> CellOcr::symbols(const cv::Mat& gray, bool chinese) {
    auto& api = engine(chinese, "");
    api.SetPageSegMode(tesseract::PSM_SINGLE_LINE);
    set_image(api, gray);
    if (api.Recognize(nullptr) != 0) return {};
    return recognised_symbols(api);
}

}  // namespace formscan
