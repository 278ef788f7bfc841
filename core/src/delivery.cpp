#include "formscan/delivery.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/Path.h>
#include <Poco/SHA2Engine.h>

namespace formscan {

std::string delivery_key(const Record& record) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    const bool printed = !record.batch.empty();
    const std::string what = printed ? record.template_id + "\n" + record.batch + "\n" + std::to_string(record.batch_page)
                                     : record.template_id + "\n" + Poco::Path(record.source).getFileName() + "\n" + std::to_string(record.page);
    sha.update(what + "\n" + std::to_string(record.row));
    return (printed ? "b:" : "s:") + Poco::DigestEngine::digestToHex(sha.digest()).substr(0, 40);
}

}  // namespace formscan
