#pragma once
// Chooses the most likely reading of a cell that fits its field's form: every digit
// count the ink allows, and for each the recogniser's second and third choices at up to
// two places ("6015.6.3" -> 2015-06-03 when 2 is the first digit's runner-up;
// "63720681844" -> 13720681844, as mobile numbers begin with 1). A value is only as sure
// as it stands out from the other values the same ink could be.
#include "digit_reader.hpp"
#include "formscan/form_template.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace formscan {

struct ConstrainedReading {
    std::string value;
    double confidence = 0;
    std::vector<std::pair<std::string, double>> alternatives;  // other fitting values, most likely first
};

// What a read text (digits and separators) means for the field, and the log-penalty of
// that interpretation (0 = as written), or nothing when it does not fit.
using Interpretation = std::function<std::optional<std::pair<std::string, double>>(const std::string& text)>;

// How sure a chosen value is. own_and_share: the best character path's own certainty
// (every character's best probability), lowered by how far the value is from that path
// and shared with the value's rivals; for fields where few variants fit (dates, codes).
// share: the value's share among the fitting readings alone, lowered by its distance from
// the best path; for phone numbers, where nearly every variant of a digit fits, so the
// share already holds each digit's doubt and the path's certainty would count it twice.
enum class Certainty { own_and_share, share };

std::optional<ConstrainedReading> decode_constrained(const DigitReadings& readings, const Interpretation& interpret,
                                                     Certainty certainty = Certainty::own_and_share);

// Dates: a real date from `earliest` to `latest` (YYYY-MM-DD; "" = no bound), as YYYY-MM-DD.
// One outside `likely_from` .. `likely_until` (either "" = open) fits at a twentieth of the
// odds: it wins only when read much more surely than any date inside, and is never
// reported as sure.
Interpretation date_interpretation(const std::string& earliest, const std::string& latest, const std::string& likely_from = "",
                                   const std::string& likely_until = "");
// Phone numbers: a mobile (libphonenumber's CN prefixes) or a Shaoxing landline (8
// digits not beginning with 0 or 1, perhaps after the area code 0575).
Interpretation phone_interpretation();
// Codes of a closed list.
Interpretation code_interpretation(const std::vector<CodeEntry>& codes);
// Row numbers: 1 to 99.
Interpretation row_number_interpretation();

}  // namespace formscan
