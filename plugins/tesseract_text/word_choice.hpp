#pragma once
// A line of printed characters read with each character's candidates, spelled again where a
// run of them may be a known word (an employer's 有限公司, 照明, 上虞): the fonts' look-alikes
// (照 read as 园, 料 as 郗, 虞 as 霸) are seldom words of such a name.
#include <string>
#include <utility>
#include <vector>

namespace formscan {

// Each character's candidates with their shares (summing to about 1), best first.
using CharGuesses = std::vector<std::vector<std::pair<std::string, double>>>;

struct WordChoice {
    std::vector<std::string> chars;  // the spelling chosen, one per character read
    std::vector<double> share;       // each character's share: its candidate's, or the word's where a word changed it
    int words_used = 0;              // words that changed what the characters alone spell
};

// The likeliest spelling when any run of characters may also be one of `words`, a word
// being `weight` times likelier than its characters read alone (every one of its
// characters must be among the candidates). A character changed by a word gets the word's
// share against the characters' own best spelling of that run.
WordChoice choose_words(const CharGuesses& guesses, const std::vector<std::string>& words, double weight);

}  // namespace formscan
