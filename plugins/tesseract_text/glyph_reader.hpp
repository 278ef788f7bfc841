#pragma once
// The printed-glyph recogniser (models/glyphs): a small CNN that reads one printed
// Chinese character of GB 2312 from its ink, trained on every character in the fonts
// forms are printed in, degraded as scans degrade print. A second reader beside
// Tesseract for names, whose characters Tesseract's fast model confuses with look-alikes
// (晨/晚, 凤/风, 磊/砚) and whose alternatives rarely hold the right one.
// Not thread-safe (the network keeps its buffers): one per stage instance.
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace formscan {

// One character's probability for every character the recogniser knows.
class GlyphDistribution {
public:
    GlyphDistribution(std::vector<double> p, const std::vector<std::string>* chars, const std::map<std::string, int>* index)
        : p_(std::move(p)), chars_(chars), index_(index) {}
    // The probability of `c`; a character the recogniser does not know has none.
    double of(const std::string& c) const;
    bool knows(const std::string& c) const { return index_->count(c) > 0; }
    // GB 2312's second level (3008 characters after the 3755 most used, in chars.txt's
    // order): rare in names and addresses, and a look-alike of a common character read
    // badly is more often one of them than the right reading.
    bool rare(const std::string& c) const { return is_rare(*index_, c); }
    static constexpr int kCommonCharacters = 3755;
    // Whether `c` is of GB 2312's second level or not in `index` (chars.txt's order) at all.
    static bool is_rare(const std::map<std::string, int>& index, const std::string& c) {
        auto it = index.find(c);
        return it == index.end() || it->second >= kCommonCharacters;
    }
    // The `k` likeliest characters, best first.
    std::vector<std::pair<std::string, double>> top(int k) const;

private:
    std::vector<double> p_;
    const std::vector<std::string>* chars_;
    const std::map<std::string, int>* index_;
};

class GlyphReader {
public:
    // Throws formscan::Error glyphs.model when the model or its character list cannot be loaded.
    GlyphReader(const std::string& model_path, const std::string& chars_path);

    // The ink (255 on 0) of one line of `count` characters cut into characters and read.
    // Empty when the ink is empty or count < 1. The distributions refer to this reader,
    // which must outlive them.
    std::vector<GlyphDistribution> read(const cv::Mat& ink, int count);

    // Whether `c` is one of GB 2312's second level or unknown (see GlyphDistribution::rare).
    bool rare(const std::string& c) const { return GlyphDistribution::is_rare(index_, c); }

    // Where a line of `count` characters is cut: count + 1 columns of `ink`, from its first
    // ink to its last, each inner cut at the emptiest column near its even place.
    static std::vector<int> cuts(const cv::Mat& ink, int count);

    // A character's ink as the network reads it: cropped to its ink, longer side 28 px,
    // centred in 32x32, as models/glyphs/train_glyphs.py normalises its glyphs.
    static cv::Mat normalise(const cv::Mat& ink);

private:
    cv::dnn::Net net_;
    std::vector<std::string> chars_;
    std::map<std::string, int> index_;
};

}  // namespace formscan
