#include "formscan/delivery.hpp"

#include "formscan/text_utils.hpp"

#include <Poco/Path.h>

namespace formscan {

std::string delivery_key(const Record& record) {
    const bool printed = !record.batch.empty();
    const std::string what = printed ? record.template_id + "\n" + record.batch + "\n" + std::to_string(record.batch_page)
                                     : record.template_id + "\n" + Poco::Path(record.source).getFileName() + "\n" + std::to_string(record.page);
    return (printed ? "b:" : "s:") + sha256_hex(what + "\n" + std::to_string(record.row)).substr(0, 40);
}

}  // namespace formscan
