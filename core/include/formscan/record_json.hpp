#pragma once
// The record contract (shared/contract/records.md): one JSON object per line.
#include "formscan/field.hpp"
#include "formscan/form_template.hpp"

#include <Poco/JSON/Object.h>

#include <string>

namespace formscan {

std::string record_to_json_line(const Record& record);
Poco::JSON::Object::Ptr record_to_json(const Record& record);
// Parses one line; keeps unknown keys out. Throws formscan::Error record.syntax.
Record record_from_json_line(const std::string& line);
std::string value_to_string(const FieldValue& value);  // JSON text of a value
// A parsed record's fields come in the JSON object's order; this puts them back in the
// template's order (as the readers write them). Fields the template lacks go last.
void put_fields_in_template_order(Record& record, const FormTemplate& form);

}  // namespace formscan
