// Image folders as datasets, and image files from pixels: the QtGui side of images, kept out of the worker.
#pragma once

#include "core/data/sharedarray.h"

#include <optional>

namespace brigade {

struct ImageFolderOptions {
    int allocationLimitMb = 256; // the most one decoded image may take; larger ones are refused as bombs
    int threads = 0;             // decoding threads; 0: one per core
};

// Every image file directly in `folder` (PNG, JPEG, BMP, GIF, WebP and the other formats Qt has a plugin
// for; other files are ignored), in file-name order, decoded to uint8 gray (1 channel), RGB (3) or RGBA (4)
// into one image set. Files that are empty, corrupt, mislabelled (the content is another format than the
// name says: skipped, since the name is wrong about the data) or too large, and symbolic links leading
// out of the folder, are skipped and listed in the array's readerNotes(). GIFs give their first frame.
// No readable image at all is an input failure naming the folder.
Result<SharedArray> readImageFolder(const QString &folder, const ImageFolderOptions &options = {});

// Encodes one image of uint8 pixels (HWC, 1/3/4 channels) to `path` atomically (QSaveFile); the format
// follows the extension.
std::optional<Failure> writeImageFile(const QString &path, const std::uint8_t *pixels,
                                      const ImageEntry &shape);

// Registers the image-folder dataset format (recognised for a directory; inspected by listing, loaded by
// readImageFolder; a single PNG, JPEG or GIF file given as a dataset is named as an image) with its encoder
// writeImageFile, for the image jobs. Called once by each front end's main() and by the tests that read
// image folders; the worker never links this.
void registerImageFormats();
// The former name of registerImageFormats.
void registerImageCodecs();

} // namespace brigade
