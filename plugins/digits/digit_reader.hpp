#pragma once
// Reads a string of digits (handwritten or printed) from a cell's ink with the trained
// recogniser (models/digits/digits.onnx, run by OpenCV's dnn module). The ink is cut
// into pieces, and every way of grouping neighbouring pieces into characters is
// scored by the recogniser; the best-scoring reading wins (so touching digits are
// split and broken ones joined where the recogniser agrees). Not thread-safe: one
// DigitReader per stage instance.
#include "formscan/digit_strings.hpp"

#include <opencv2/dnn.hpp>

#include <string>
#include <vector>

namespace formscan {

struct CharReading {
    char best = '?';
    std::vector<std::pair<char, double>> choices;  // digit and probability, best first (top 3)
    cv::Rect box;
};

struct DigitReading {
    std::vector<CharReading> chars;  // digits and separators ('.', '-', '/': probability 1)
    std::string text() const;
    std::string digits() const;      // without separators
    double confidence() const;       // product of the best probabilities
    double score = 0;                // log-score of the segmentation search (comparable between readings of one cell)
};

// The best reading of a cell for every digit count the ink allows.
struct DigitReadings {
    std::vector<DigitReading> by_length;  // ascending digit count
    int best = -1;                        // index of the overall choice (honouring the wanted lengths)
};

// A cell's writing cut into pieces, with the candidate characters (groups of
// neighbouring pieces) whose crops wait to be scored by the recogniser. Cutting many
// cells first and scoring all their crops at once is much faster than cell by cell.
struct CutCell {
    struct Group {
        int from, to;  // pieces [from, to)
        cv::Rect box;
        int crop;      // index into the crops the cell was cut into
        bool holds_separator;  // a piece of it was taken for a separator
    };
    std::vector<InkPiece> pieces;
    std::vector<Group> groups;
    int whole = -1;  // crop of the whole writing (for ticks), or -1
};

using Probabilities = std::vector<std::vector<float>>;  // per crop: 0-9, reject, tick

class DigitReader {
public:
    // One model, or several whose probabilities are averaged (an ensemble of the same
    // network trained with other seeds) on the crops the first model gives less than
    // `consult_below` to its best class (above 1: on every crop). Throws formscan::Error digits.model.
    explicit DigitReader(const std::vector<std::string>& model_paths, double consult_below = 2.0);
    // The files of a comma-separated list ("digits/digits.onnx,digits/digits_s2.onnx"),
    // relative ones taken from `folder` ("" = as they are).
    static std::vector<std::string> model_files(const std::string& list, const std::string& folder = "");
    // Many cells at once: cut() each cell's writing (appending its crops, and with `whole` the crop
    // of all its writing; `at_least`: the digits the field must have, see segment_digits),
    // classify() all crops, then decode() each cell with the
    // probabilities (`allow_separators`: dates may hold '.', '-', '/'; `lengths`: digit
    // counts the field may have, preferred when the ink allows one; empty = any) and ask
    // tick_probability(): how likely its writing, taken as one mark, is a tick.
    static CutCell cut(const DigitInk& writing, std::vector<cv::Mat>& crops, bool whole, int at_least = 0);
    static DigitReadings decode(const CutCell& cell, const Probabilities& probs, bool allow_separators,
                                const std::vector<int>& lengths = {});
    static double tick_probability(const CutCell& cell, const Probabilities& probs);
    // Probabilities of the classes (0-9, reject, tick) for 28x28 normalised crops.
    Probabilities classify(const std::vector<cv::Mat>& crops);

private:
    static Probabilities softmax(cv::dnn::Net& net, const std::vector<cv::Mat>& crops);
    static constexpr std::size_t kBatch = 64;  // crops per forward pass

    std::vector<cv::dnn::Net> nets_;
    double consult_below_;
};

}  // namespace formscan
