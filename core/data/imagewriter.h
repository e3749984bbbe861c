// Image files from pixels, for the parent-side jobs: brigade_core has no image codecs (QtGui), so the
// encoder is the image format's, registered in the dataset-format registry (see core/data/images.h).
#pragma once

#include "core/data/sharedarray.h"

#include <functional>
#include <optional>

namespace brigade {

using ImageFileWriter = std::function<std::optional<Failure>(const QString &path, const std::uint8_t *pixels,
                                                             const ImageEntry &shape)>;

// The registered formats' image encoder; empty when none is (a job then reports that it cannot write images).
ImageFileWriter imageFileWriter();

} // namespace brigade
