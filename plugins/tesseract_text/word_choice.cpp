#include "word_choice.hpp"

#include "formscan/text_utils.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace formscan {

namespace {
double share_of(const std::vector<std::pair<std::string, double>>& candidates, const std::string& c) {
    for (const auto& [text, share] : candidates)
        if (text == c) return share;
    return 0;
}
}  // namespace

WordChoice choose_words(const CharGuesses& guesses, const std::vector<std::string>& words, double weight) {
    const std::size_t n = guesses.size();
    WordChoice out;
    for (const auto& g : guesses) {
        out.chars.push_back(g.empty() ? std::string() : g.front().first);
        out.share.push_back(g.empty() ? 1.0 : g.front().second);
    }
    if (n == 0 || words.empty() || weight <= 1) return out;
    std::vector<std::vector<std::string>> spelled;
    for (const auto& w : words) spelled.push_back(utf8_chars(w));

    // Best spelling of the first i characters (log score): each character its best
    // candidate, or a run spelled as a word.
    const double minus_inf = -std::numeric_limits<double>::infinity();
    std::vector<double> best(n + 1, minus_inf);
    std::vector<int> word_at(n + 1, -1);  // the word ending at i on the best path, -1 a character
    best[0] = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(best[i])) continue;
        const double own = best[i] + std::log(std::max(out.share[i], 1e-12));
        if (own > best[i + 1]) best[i + 1] = own, word_at[i + 1] = -1;
        for (std::size_t w = 0; w < spelled.size(); ++w) {
            const auto& word = spelled[w];
            if (word.empty() || i + word.size() > n) continue;
            double score = best[i] + std::log(weight);
            for (std::size_t k = 0; k < word.size() && std::isfinite(score); ++k) {
                const double s = share_of(guesses[i + k], word[k]);
                score = s > 0 ? score + std::log(s) : minus_inf;
            }
            if (score > best[i + word.size()]) best[i + word.size()] = score, word_at[i + word.size()] = static_cast<int>(w);
        }
    }
    for (std::size_t end = n; end > 0;) {
        if (word_at[end] < 0) {
            --end;
            continue;
        }
        const auto& word = spelled[static_cast<std::size_t>(word_at[end])];
        const std::size_t from = end - word.size();
        double as_word = weight, as_read = 1;
        bool changed = false;
        for (std::size_t k = 0; k < word.size(); ++k) {
            as_word *= share_of(guesses[from + k], word[k]);
            as_read *= out.share[from + k];
            changed = changed || word[k] != out.chars[from + k];
        }
        if (changed) {
            ++out.words_used;
            const double posterior = as_word / (as_word + as_read);
            for (std::size_t k = 0; k < word.size(); ++k)
                if (word[k] != out.chars[from + k]) out.chars[from + k] = word[k], out.share[from + k] = posterior;
        }
        end = from;
    }
    return out;
}

}  // namespace formscan
