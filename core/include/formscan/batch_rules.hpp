#pragma once
// Rules that look across a whole batch rather than one page: the same ID number on two
// rows or sheets. Records are passed in input order (the batch runner's writer does);
// the second and later ones of a number are marked invalid (rule id_number.duplicate),
// naming where the number was first seen. Not thread-safe: one per batch, one caller.
#include "formscan/field.hpp"

#include <map>
#include <string>

namespace formscan {

class BatchRules {
public:
    void check(Record& record);

private:
    std::map<std::string, std::string> first_seen_;  // ID number -> "source page P row R"
};

}  // namespace formscan
