// The .npy header: its magic, and the Python literal dict that says dtype, order and shape.
#pragma once

#include "core/base/result.h"

#include <QList>
#include <QString>

namespace brigade::npy {

inline constexpr char Magic[] = "\x93NUMPY";
inline constexpr qint64 MagicBytes = 6;

// What the header dict says, checked the way numpy checks it.
struct Header {
    QString descr;
    bool fortran = false;
    QList<qint64> shape;
};

// Parses the header's text (a Python literal dict; key order, spacing, trailing commas and quoting do not
// matter) and checks it. headerStart is the text's byte offset in the file, for the positions of failures.
Result<Header> parseHeader(const QString &path, const QString &text, qint64 headerStart);

// "(3,)", "(3, 4)": a shape as numpy writes it.
QString shapeText(const QList<qint64> &shape);

} // namespace brigade::npy
