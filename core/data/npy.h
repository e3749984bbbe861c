// NumPy .npy files: reading into a SharedArray and writing a SharedArray so that numpy reads it back.
#pragma once

#include "core/data/sharedarray.h"

#include <optional>

namespace brigade {

// Reads a .npy file of format version 1.0, 2.0 or 3.0 holding a 1-D or 2-D array in C or Fortran order,
// of dtype f8 f4 i8 i4 i2 i1 u8 u4 u2 u1 or b1 in either byte order. The result is always a float64
// column-major array, because every job computes in float64; integers beyond 2^53 round to the nearest
// double, exactly as numpy's astype(float64) does. A 1-D array becomes one column named "value", a 2-D
// array gets columns "c0", "c1", ... Anything else (object arrays, which are never unpickled, structured,
// string, complex and datetime dtypes, 0-D and 3-D arrays, damaged files) is an Input failure naming
// the byte offset where the problem lies.
Result<SharedArray> readNpy(const QString &path);

// What a .npy file's header says, checked as readNpy checks it (including the file's size), without
// reading the data.
struct NpyInfo {
    int version = 1; // the format's major version
    QString descr;   // numpy's dtype string, e.g. "<f8"
    bool fortran = false;
    qint64 rows = 0;
    qint64 cols = 0;
    qint64 dataStart = 0; // byte offset of the data
    bool oneDimensional = false;
};
Result<NpyInfo> readNpyHeader(const QString &path);

// Writes the array as a .npy of version 1.0 in Fortran order, so the column-major data is written as is,
// in the array's own dtype (float64 for everything the readers produce), with the header padded so the
// data starts at a multiple of 64 bytes. An n x 1 array is written as 1-D of shape (n,). The write is
// atomic: the file appears whole or not at all, and an existing file is left untouched on failure.
std::optional<Failure> writeNpy(const QString &path, const SharedArray &array);

} // namespace brigade
