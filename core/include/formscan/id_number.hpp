#pragma once
// Chinese resident ID numbers (GB 11643-1999): 6-digit address code, 8-digit birth
// date, 3-digit sequence (odd = male), ISO 7064 MOD 11-2 check character.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace formscan {

// Check character for the first 17 digits ('0'..'9' or 'X'); '\0' if not 17 digits.
char id_check_character(std::string_view first17);
bool id_has_valid_check(std::string_view id);
// "YYYY-MM-DD" when positions 7-14 are a real date.
std::optional<std::string> id_birth_date(std::string_view id);
// "男" or "女" from the 17th digit.
std::optional<std::string> id_sex(std::string_view id);
bool is_real_date(int year, int month, int day);

// Reading an ID number whose characters each came with alternatives: the most likely
// numbers whose check character is right and whose birth date is real, best first.
struct IdCandidate {
    std::string id;
    double log_score = 0;  // sum of the log probabilities of its characters
};
using CharChoices = std::vector<std::pair<char, double>>;  // character, probability
std::vector<IdCandidate> decode_id_number(const std::vector<CharChoices>& positions, std::size_t max_results = 3);

}  // namespace formscan
