#include "formscan/masking.hpp"

#include <cctype>

namespace formscan {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

std::string mask_personal_data(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (!is_digit(text[i]) || (i > 0 && is_digit(text[i - 1]))) {
            out.push_back(text[i++]);
            continue;
        }
        std::size_t j = i;
        while (j < text.size() && is_digit(text[j])) ++j;
        std::size_t run = j - i;
        // An ID number is 17 digits and a check character (digit, X or x).
        if (run == 17 && j < text.size() && (text[j] == 'X' || text[j] == 'x')) {
            ++j;
            run = 18;
        }
        std::string_view digits = text.substr(i, j - i);
        if (run >= 15) {
            // 15/18-digit ID numbers, bank cards: keep 4 + 4
            out.append(digits.substr(0, 4));
            out.append(run - 8, '*');
            out.append(digits.substr(run - 4));
        } else if (run >= 7) {
            // phone numbers: keep 3 + 4
            out.append(digits.substr(0, 3));
            out.append(run - 7, '*');
            out.append(digits.substr(run - 4));
        } else {
            out.append(digits);
        }
        i = j;
    }
    return out;
}

}  // namespace formscan
