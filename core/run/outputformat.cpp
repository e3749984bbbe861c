// Output formats by extension, named once.
#include "core/run/outputformat.h"

#include "core/base/enumnames.h"

#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {
constexpr EnumName<OutputFormat> OutputFormatNames[] = {{OutputFormat::Csv, u".csv"},
                                                        {OutputFormat::Npy, u".npy"},
                                                        {OutputFormat::Json, u".json"},
                                                        {OutputFormat::Text, u".txt"}};
} // namespace

std::optional<OutputFormat> outputFormatOf(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"tsv"_s)
        return OutputFormat::Csv;
    return enumFromName(OutputFormatNames, QString(u'.' + suffix));
}

QString outputFormatName(OutputFormat format)
{
    return enumName(OutputFormatNames, format);
}

} // namespace brigade
