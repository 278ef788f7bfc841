#pragma once
// Personal data never reaches a log line or an error message unmasked.
#include <string>
#include <string_view>

namespace formscan {

// Masks every ID-number-like run (17 digits + digit/X) as "3306**********1234" and
// every mobile-number-like run of 11 digits as "156****6849". Other text is unchanged.
std::string mask_personal_data(std::string_view text);

}  // namespace formscan
