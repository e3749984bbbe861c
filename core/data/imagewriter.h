// The hook through which parent-side jobs encode image files: brigade_core has no image codecs (QtGui),
// so the front end registers one at start-up (see core/data/images.h).
#pragma once

#include "core/data/sharedarray.h"

#include <functional>
#include <optional>

namespace brigade {

using ImageFileWriter = std::function<std::optional<Failure>(const QString &path, const std::uint8_t *pixels,
                                                             const ImageEntry &shape)>;

void setImageFileWriter(ImageFileWriter writer);
// The registered writer; empty when none is (a job then reports that it cannot write images).
const ImageFileWriter &imageFileWriter();

} // namespace brigade
