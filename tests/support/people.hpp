#pragma once
// Random residents of 上虞区 with self-consistent data (valid ID numbers whose birth
// date and sex agree with the other columns), for the scan synthesiser and tests.
#include "formscan/form_template.hpp"

#include <random>
#include <string>
#include <vector>

namespace formscan::synth {

struct Person {
    std::string name, sex, id_number, birth_date, ethnicity;
    std::string township, village, hukou_address, residence_address;  // residence "" = same as hukou
    std::string phone;
    std::string employer_name;   // a company, or a no-employer code "1".."5", or ""
    std::string employer_type;   // code or ""
    std::string personal_status; // code
    std::string insurance[5];    // pension, medical, injury, maternity, unemployment: "√", code or ""
    std::string household_no;
    // 备注: what reason codes 3 (the employer), 9 (where insured) and 12 (the reason) ask for
    std::string remark;
};

std::string random_name(std::mt19937& rng);
std::string random_village(std::mt19937& rng);
std::string random_company(std::mt19937& rng);
std::string random_phone(std::mt19937& rng);
// A valid 18-character ID number for a birth date (YYYY-MM-DD) and sex.
std::string make_id_number(const std::string& address_code, const std::string& birth_date, bool male, std::mt19937& rng);
Person random_person(const FormTemplate& form, const std::string& township, const std::string& village, std::mt19937& rng);

}  // namespace formscan::synth
