// NumPy .npy files: reading into a SharedArray and writing a SharedArray so that numpy reads it back.
#pragma once

#include "core/data/sharedarray.h"

namespace brigade {

// Reads a float64 array (1-D, or 2-D in C or Fortran order). 1-D becomes one column named "value".
Result<SharedArray> readNpy(const QString &path);

// Writes the array as a .npy (version 1.0, Fortran order, so the column-major data is written as is),
// atomically: the file appears whole or not at all.
std::optional<Failure> writeNpy(const QString &path, const SharedArray &array);

} // namespace brigade
