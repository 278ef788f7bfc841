// validate_cn: the rules of the Chinese forms: ID number (length, check digit, real
// birth date), birth date and sex against the ID number, code lists, vocabularies,
// phone numbers, and the seed's rule that pension and medical insurance are both
// stated. A field that breaks a rule becomes `invalid` with the rule's id and message.
// See README.md in this folder.
#include "formscan/id_number.hpp"
#include "formscan/masking.hpp"
#include "formscan/stage.hpp"
#include "formscan/text_utils.hpp"

#include <Poco/ClassLibrary.h>

#include <algorithm>
#include <set>

namespace formscan {

namespace {

void fail(Field& field, const std::string& rule, const std::string& message) {
    field.status = FieldStatus::invalid;
    field.errors.push_back({rule, mask_personal_data(message)});
}

// A value that may be right but is unlikely: a person confirms it (an invalid field stays invalid).
void doubt(Field& field, const std::string& rule, const std::string& message) {
    if (field.status == FieldStatus::ok) field.status = FieldStatus::review;
    field.errors.push_back({rule, mask_personal_data(message)});
}

bool in_codes(const FormTemplate& form, const std::string& list, const std::string& code) {
    const auto& codes = form.codes(list);
    return std::any_of(codes.begin(), codes.end(), [&](const CodeEntry& e) { return e.code == code; });
}

bool in_vocabulary(const FormTemplate& form, const std::string& name, const std::string& value) {
    const auto& words = form.vocabulary(name);
    return std::find(words.begin(), words.end(), value) != words.end();
}

}  // namespace

class ValidateCnStage : public Stage {
public:
    StageInfo info() const override {
        return {"validate_cn",
                "1.0.0",
                "checks ID numbers, dates, sex, codes, vocabularies and phone numbers; marks fields invalid",
                {kHasRecords},
                {kHasValidated},
                {
                    {"require_pension_medical", ParamType::boolean, "true", 0, 1,
                     "pension and medical insurance must both be stated (the seed's rule 七)"},
                    {"remark_reason_codes", ParamType::string, "3,9,12", 0, 0,
                     "reason codes that ask for a 备注 (the seed: 3 the employer, 9 where insured, 12 the reason); empty: none"},
                }};
    }

    void configure(const ParamValues& params, const StageEnvironment&) override {
        require_pension_medical_ = params.get_bool("require_pension_medical");
        remark_reason_codes_ = split_list(params.get_string("remark_reason_codes"));
    }

    void process(PageContext& ctx) override {
        for (auto& record : ctx.records) validate(ctx.form, record);
    }

private:
    void validate(const FormTemplate& form, Record& record) const {
        for (auto& field : record.fields) {
            const FieldSpec& spec = form.field(field.key);
            std::string value = field.text();
            if (value.empty()) continue;
            switch (spec.type) {
                case FieldType::id_number: check_id(form, spec, record, field); break;
                case FieldType::date: {
                    const auto date = normalise_date(value);
                    if (!date) fail(field, "date.real", field.key + ": \"" + value + "\" is not a real date");
                    else if (!spec.likely_date(*date))
                        doubt(field, "date.unlikely", field.key + ": " + *date + " is outside the period expected");
                    break;
                }
                case FieldType::code:
                    if (!spec.code_list.empty() && !in_codes(form, spec.code_list, value))
                        fail(field, "code.list", field.key + ": code " + value + " is not in list " + spec.code_list);
                    break;
                case FieldType::tick_or_code:
                    if (value != "√" && !spec.code_list.empty() && !in_codes(form, spec.code_list, value))
                        fail(field, "code.list", field.key + ": " + value + " is neither √ nor a code of " + spec.code_list);
                    break;
                case FieldType::sex:
                case FieldType::ethnicity:
                    if (!spec.vocabulary.empty() && !in_vocabulary(form, spec.vocabulary, value))
                        fail(field, spec.key + ".vocabulary", field.key + ": \"" + value + "\" is not a known value");
                    break;
                case FieldType::digits:
                    if (spec.key == "phone") check_phone(field, value);
                    break;
                default: break;
            }
        }
        // A unit type needs a unit: not an empty employer column, nor a no-employer code.
        if (Field* type = record.find("employer_type"); type && !type->text().empty()) {
            const Field* employer = record.find("employer_name");
            const FieldSpec* spec = employer ? &form.field("employer_name") : nullptr;
            const bool no_employer = employer && (employer->text().empty() ||
                                                  (spec && !spec->code_list.empty() && in_codes(form, spec->code_list, employer->text())));
            if (no_employer && !employer->reader.empty())
                fail(*type, "employer.type_without_employer",
                     "employer type " + type->text() + " is given, but the employer column names no employer");
        }
        // The seed's reasons 3, 9 and 12 say who, where or why in 备注.
        if (Field* remarks = record.find("remarks"); remarks && remarks->is_empty() && !remarks->reader.empty()) {
            for (const char* key : kInsuranceKeys) {
                const Field* f = record.find(key);
                if (f && remark_reason_codes_.count(f->text())) {
                    fail(*remarks, "insurance.reason_needs_remark",
                         std::string(key) + " holds reason " + f->text() + ", which asks for a remark (备注), but 备注 is empty");
                    break;
                }
            }
        }
        // The 登记表: a reason for not being insured, while both pension and medical are ticked.
        if (Field* reason = record.find("not_insured_reason"); reason && !reason->is_empty()) {
            const Field* pension = record.find("pension");
            const Field* medical = record.find("medical");
            if (pension && medical && !pension->is_empty() && !medical->is_empty())
                fail(*reason, "insurance.reason_while_insured",
                     "a reason for not being insured is ticked, but pension and medical insurance are both ticked");
        }
        if (require_pension_medical_) {
            Field* pension = record.find("pension");
            Field* medical = record.find("medical");
            if (pension && medical && pension->reader != "" && medical->reader != "") {
                for (Field* f : {pension, medical})
                    if (f->is_empty())
                        fail(*f, "insurance.pension_and_medical",
                             "pension and medical insurance must both be stated (√ or a reason code)");
            }
        }
    }

    static void check_id(const FormTemplate& form, const FieldSpec& spec, Record& record, Field& field) {
        const std::string id = field.text();
        if (id.size() != 18) return fail(field, "id_number.length", "ID number has " + std::to_string(id.size()) + " characters, not 18");
        if (!id_has_valid_check(id)) return fail(field, "id_number.check_digit", "ID number " + id + " fails its check digit");
        if (!known_region(form, id.substr(0, 6)))
            return fail(field, "id_number.region", "ID number " + id + " starts with " + id.substr(0, 6) +
                                                       ", which is no GB/T 2260 region code (Zhejiang: current or historical)");
        auto birth = id_birth_date(id);
        if (!birth) return fail(field, "id_number.birth_date", "ID number " + id + " holds no real birth date");
        // A valid number whose birth date is outside the period people on the list were
        // born in (the template's likely_from: older than 105 at the survey) is more often
        // a misread the check character let through (1998 read as 1908) than a person.
        if (!spec.likely_date(*birth))
            doubt(field, "id_number.birth_date_unlikely", "ID number " + id + " says born " + *birth + ", outside the period expected");
        if (Field* b = record.find("birth_date"); b && !b->text().empty() && b->text() != *birth) {
            if (field.status == FieldStatus::ok && misread_of(b->text(), *birth)) {
                // A sure ID number and a birth date read a digit or two off it: far more
                // likely a misread than a register at odds with itself. The ID's date is
                // shown, what was read kept beside it, and a person confirms it.
                b->alternatives.insert(b->alternatives.begin(), {b->text(), b->confidence});
                b->value = *birth;
                b->status = FieldStatus::review;
                b->errors.push_back({"birth_date.from_id", "birth date read a digit or two off the ID number's; the ID's is shown"});
            } else {
                fail(*b, "birth_date.matches_id", "birth date " + b->text() + " differs from the ID number's " + *birth);
            }
        }
        if (Field* s = record.find("sex"); s && !s->text().empty() && s->text() != id_sex(id).value_or(""))
            fail(*s, "sex.matches_id", "sex " + s->text() + " differs from the ID number's");
    }

    // A reading of `date` with at most two of its eight digits wrong, lost or added.
    static bool misread_of(const std::string& read, const std::string& date) {
        auto digits = [](const std::string& s) {
            std::vector<std::string> d;
            for (char c : s)
                if (c >= '0' && c <= '9') d.push_back(std::string(1, c));
            return d;
        };
        return edit_distance(digits(read), digits(date)) <= 2;
    }

    // Zhejiang numbers against the template's list of current and historical county codes
    // (332xxx, the prefectures of the 1980s and 1990s, as a group); others by province.
    static bool known_region(const FormTemplate& form, const std::string& code) {
        static const std::set<std::string> provinces = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33",
                                                        "34", "35", "36", "37", "41", "42", "43", "44", "45", "46", "50",
                                                        "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"};
        if (!provinces.count(code.substr(0, 2))) return false;
        if (code.compare(0, 2, "33") != 0 || !form.code_lists.count("zj_regions")) return true;
        return code.compare(0, 3, "332") == 0 || in_codes(form, "zj_regions", code);
    }

    static void check_phone(Field& field, const std::string& value) {
        if (!is_cn_mobile(value) && !is_shaoxing_landline(value))
            fail(field, "phone.format", "phone " + value + " is neither a mobile number (libphonenumber's CN prefixes) nor a 0575 landline");
    }

    static std::set<std::string> split_list(const std::string& text) {
        std::set<std::string> out;
        std::size_t start = 0;
        while (start <= text.size()) {
            std::size_t end = std::min(text.find(',', start), text.size());
            if (end > start) out.insert(text.substr(start, end - start));
            start = end + 1;
        }
        return out;
    }

    static constexpr const char* kInsuranceKeys[] = {"pension", "medical", "injury", "maternity", "unemployment"};
    bool require_pension_medical_ = true;
    std::set<std::string> remark_reason_codes_;
};

}  // namespace formscan

#include "cross_check_stage.hpp"
#include "normalise_cn_stage.hpp"

POCO_BEGIN_NAMED_MANIFEST(FormscanV2, formscan::Stage)
POCO_EXPORT_CLASS(formscan::ValidateCnStage)
POCO_EXPORT_CLASS(formscan::NormaliseCnStage)
POCO_EXPORT_CLASS(formscan::CrossCheckStage)
POCO_END_MANIFEST
