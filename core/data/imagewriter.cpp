#include "core/data/imagewriter.h"

namespace brigade {

namespace {

ImageFileWriter &registered()
{
    static ImageFileWriter writer;
    return writer;
}

} // namespace

void setImageFileWriter(ImageFileWriter writer)
{
    registered() = std::move(writer);
}

const ImageFileWriter &imageFileWriter()
{
    return registered();
}

} // namespace brigade
