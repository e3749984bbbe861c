// The image encoder of the registered dataset formats.
#include "core/data/imagewriter.h"

#include "core/data/datasetformat.h"

namespace brigade {

ImageFileWriter imageFileWriter()
{
    for (const auto &format : datasetFormats())
        if (format->writeImage)
            return format->writeImage;
    return {};
}

} // namespace brigade
