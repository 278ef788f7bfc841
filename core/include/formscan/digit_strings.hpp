#pragma once
// Digit strings written without boxes: the cell's ink cut into characters (touching
// digits split, broken ones joined, separators such as '.' and '-' told apart), and
// each character normalised as MNIST digits are (its ink scaled into 20x20, centred by
// its centre of mass in 28x28, white on black). Used by the digit reader at run time
// and by the tool that makes its training data, so both see the same crops.
#include "formscan/cell_image.hpp"

#include <opencv2/core.hpp>

#include <vector>

namespace formscan {

struct InkPiece {
    cv::Rect box;             // in the cell
    cv::Mat ink;              // the piece's own ink (255), box-sized
    char separator = 0;       // '.', '-', '/' or ':' for a separator, else 0 (a character)
    bool guessed_cut = false; // parted from the piece before it by an even cut, not at a gap or valley
};

// Cuts a cell's ink (255 = ink) into pieces, left to right. With `over_cut`, every
// piece wider than a narrow digit is also cut at the valleys of its column profile, so
// touching digits come apart; a reader then joins pieces back where it sees one digit.
// When that gives fewer than `at_least` characters (the digits a phone or ID number
// must have), parts wider than a digit are also cut evenly.
std::vector<InkPiece> segment_digits(const cv::Mat& ink, bool over_cut = false, int at_least = 0);

// Splits a piece into `parts` pieces at the columns with least ink near the even cuts.
std::vector<InkPiece> split_piece(const InkPiece& piece, int parts);

// MNIST-style 28x28 normalisation of one piece of ink (binary or grey).
cv::Mat normalise_digit(const cv::Mat& ink);

// A cell's writing as the digit reader takes it: the ink, cut into characters, and of
// the same size its shade, the ink's strength in grey (0 paper, 255 a stroke's core),
// from which the characters are handed to the recogniser as MNIST digits are drawn:
// in grey, with their edges soft. Binary crops of digits written 15-20 pixels tall
// lose the shapes a recogniser needs.
struct DigitInk {
    cv::Mat ink;    // 255 = ink
    cv::Mat shade;  // 0..255, the ink's size; empty: the crops are the ink itself
};
// Cells less tall than this are enlarged twice, smoothly, before their ink is cut: at low
// resolution a digit's strokes are one or two pixels wide and thresholding breaks them.
constexpr int kEnlargeDigitCellsBelowPx = 130;
DigitInk digit_cell_ink(const cv::Mat& page_gray, const cv::Rect& box, Surround around,
                        int enlarge_below = kEnlargeDigitCellsBelowPx);
// The shade of `grey` (a cell's crop) where `ink` was found in it.
cv::Mat ink_shade(const cv::Mat& grey, const cv::Mat& ink);
// The 28x28 crop of one character: `ink` (box-sized, 255 = ink) lies at `box` in the
// cell; the crop is the cell's shade within a pixel of that ink (the ink itself when the
// shade is empty), normalised.
cv::Mat digit_crop(const cv::Mat& ink, const cv::Rect& box, const cv::Mat& shade);

}  // namespace formscan
