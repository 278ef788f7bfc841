#pragma once
// Text helpers shared by readers, validation and the synthesiser: UTF-8 characters,
// edit distance, vocabulary matching and the contract's value normalisation.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace formscan {

std::vector<std::string> utf8_chars(std::string_view text);
// Whether one UTF-8 character (from utf8_chars) is a Chinese character of the common block.
bool is_han(std::string_view c);
std::string remove_spaces(std::string_view text);  // ASCII and ideographic spaces
std::string keep_only(std::string_view text, std::string_view allowed_ascii);
std::size_t edit_distance(const std::vector<std::string>& a, const std::vector<std::string>& b);
// Aligns all of `pattern` with a prefix of `text`: the least edits, and how many
// characters of the text that prefix takes (of equally good prefixes, the one nearest the
// pattern's length).
std::pair<std::size_t, std::size_t> align_prefix(const std::vector<std::string>& pattern, const std::vector<std::string>& text);

struct VocabularyMatch {
    std::string value;
    std::size_t distance = 0;  // character edits from the text read
    std::size_t ties = 1;      // entries as close (a misread 傣 in 傣族 is one edit from 汉族, 畲族, 彝族 ...)
};
// The closest entry (ties: the first in the list, and counted); nullopt for an empty vocabulary.
std::optional<VocabularyMatch> nearest(std::string_view text, const std::vector<std::string>& vocabulary);

// "19850307", "1985.3.7", "1985-03-07", "1985年3月7日" -> "1985-03-07"; nullopt when
// the text is no real date.
std::optional<std::string> normalise_date(std::string_view text);
// A date from its digits alone, separators lost ("2015316"): the one way of reading
// them as year (4 digits), month and day (1 or 2 each) that gives a real date between
// 1900 and 2099; nothing when none or several do.
std::optional<std::string> date_from_digits(std::string_view digits);
// A Chinese mobile number (11 digits), by libphonenumber's CN mobile pattern
// (1740[0-5]..., 13x, 14[57], 15x but 154, 16[25-7], 17[0-35-8], 18x, 19x but 194).
bool is_cn_mobile(std::string_view digits);
// A landline of the district: 8 digits not beginning with 0 or 1, perhaps after the
// area code 0575 (Shaoxing).
bool is_shaoxing_landline(std::string_view digits);
// Today's local date as YYYY-MM-DD: no date written on a form lies after it.
std::string today();
// SHA-256 of the bytes, as 64 lower-case hex digits (session tokens, idempotency keys, bodies).
std::string sha256_hex(std::string_view bytes);
// Equality whose time does not depend on where the strings differ (tokens, passwords' stand-ins).
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace formscan
