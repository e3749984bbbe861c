// Dataset loading: generated tables, and files and folders through their dataset format.
#include "core/data/dataset.h"

#include "core/data/csv.h"
#include "core/data/datasetformat.h"

#include <algorithm>
#include <numeric>

using namespace Qt::StringLiterals;

namespace brigade {

// A job over "the numeric columns" then sees only those, and complete-row statistics are not emptied by text.
Result<Dataset> openCsvDataset(const QString &path, BadRowPolicy onBadRow)
{
    CsvOptions options;
    options.onBadRow = onBadRow;
    options.keepText = false;
    auto table = readCsv(path, options);
    if (!table)
        return table.failure();
    Dataset dataset{std::move(table->numbers), {}, table->skippedRows, table->skippedLines};
    const QStringList names = dataset.array.columnNames();
    QStringList numericNames;
    std::vector<qint64> numeric;
    for (qsizetype c = 0; c < table->kinds.size(); ++c) {
        if (table->kinds[c] == ColumnKind::Text)
            dataset.textColumns << names.value(c);
        else
            numeric.push_back(c), numericNames << names.value(c);
    }
    if (dataset.textColumns.isEmpty())
        return dataset;
    if (numeric.empty())
        return inputFailure(path,
                            u"no numeric column (text columns: %1)"_s.arg(dataset.textColumns.join(u", "_s)));
    auto numbers =
        SharedArray::create(Dtype::Float64, dataset.array.rows(), qint64(numeric.size()), numericNames);
    if (!numbers)
        return numbers.failure();
    const qint64 rows = dataset.array.rows();
    const double *from = std::as_const(dataset.array).data<double>();
    double *to = numbers->data<double>();
    for (size_t k = 0; k < numeric.size(); ++k)
        std::copy_n(from + numeric[k] * rows, rows, to + qint64(k) * rows);
    dataset.array = std::move(numbers).value();
    return dataset;
}

Result<SharedArray> loadDataset(const DatasetSource &source)
{
    auto dataset = openDataset(source);
    if (!dataset)
        return dataset.failure();
    return std::move(dataset->array);
}

Result<Dataset> openDataset(const DatasetSource &source)
{
    const auto wrap = [](Result<SharedArray> array) -> Result<Dataset> {
        if (!array)
            return array.failure();
        return Dataset{std::move(array).value(), {}, 0, {}};
    };
    if (source.path.isEmpty())
        return wrap(
            generateTable({source.generatedRows, source.generatedCols, source.distribution, source.seed}));
    auto format = recogniseDataset(source.path);
    if (!format)
        return format.failure();
    return (*format)->load(source);
}

} // namespace brigade
