// image-pipeline: per image grayscale, blur, resize and features (seed 002's advanced example), over an
// image set in shared memory; the transformed images go to an output folder, the features to a table.
#include "core/jobs/builtin.h"

#include "core/data/imagewriter.h"
#include "core/data/sharedarray.h"

#include <QCborArray>
#include <QDir>
#include <QFileInfo>
#include <QHash>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace Qt::StringLiterals;

// Where the transformed pixels go: the workers write them into an output image set that the parent
// creates at plan time (Job::createOutput), sized from the input shapes and the parameters; the parent
// encodes each task's images as that task's result arrives, so encoding overlaps the workers' work and
// no pixel goes through the pipe. Sending pixels back in the results instead would put whole images
// into frames (a task of a few large photos exceeds the frame cap) and copy them twice more; the price
// of the output segment is shared memory for the transformed images, the same as the input's.

namespace brigade::jobs {

namespace {

struct Params {
    bool grayscale = false;
    QString blur;
    int radius = 2;
    qint64 width = 0;
    qint64 height = 0;
    QString resample;
    int bins = 16;
    QString outputDir;
    QString imageFormat;

    explicit Params(const QVariantMap &p)
        : grayscale(p.value(u"grayscale"_s).toBool())
        , blur(p.value(u"blur"_s).toString())
        , radius(p.value(u"radius"_s).toInt())
        , width(p.value(u"width"_s).toLongLong())
        , height(p.value(u"height"_s).toLongLong())
        , resample(p.value(u"resample"_s).toString())
        , bins(p.value(u"bins"_s).toInt())
        , outputDir(p.value(u"output-dir"_s).toString())
        , imageFormat(p.value(u"image-format"_s).toString())
    {}

    ImageEntry outputShape(const ImageEntry &in) const
    {
        return {0, width > 0 ? width : in.width, height > 0 ? height : in.height,
                grayscale && in.channels >= 3 ? 1 : in.channels};
    }
};

// One output coordinate of a separable filter: weights over consecutive source indices from `first`.
struct Tap {
    int first;
    int count;
    int weights; // index of the first weight in Taps::weight
};
struct Taps {
    std::vector<Tap> taps;
    std::vector<double> weight;

    void add(int first, std::initializer_list<double> w)
    {
        taps.push_back({first, int(w.size()), int(weight.size())});
        weight.insert(weight.end(), w);
    }
};

// Blur taps (same size, borders replicated): a box of 2r+1, or a Gaussian of 2r+1 taps whose sigma is
// derived from the size as OpenCV does, 0.3 * (r - 1) + 0.8.
Taps blurTaps(int size, const QString &kind, int radius)
{
    std::vector<double> kernel(size_t(2 * radius + 1), 1.0);
    if (kind == u"gaussian"_s) {
        const double sigma = 0.3 * (radius - 1) + 0.8;
        for (int k = -radius; k <= radius; ++k)
            kernel[size_t(k + radius)] = std::exp(-double(k * k) / (2 * sigma * sigma));
    }
    double sum = 0;
    for (double w : kernel)
        sum += w;
    for (double &w : kernel)
        w /= sum;
    Taps t;
    for (int x = 0; x < size; ++x) {
        t.taps.push_back({x - radius, int(kernel.size()), int(t.weight.size())});
        t.weight.insert(t.weight.end(), kernel.begin(), kernel.end());
    }
    return t;
}

// Resize taps: bilinear with pixel centres aligned (as OpenCV's INTER_LINEAR), or area averaging (each
// output pixel the exact mean of the source area it covers).
Taps resizeTaps(int in, int out, const QString &kind)
{
    Taps t;
    const double scale = double(in) / double(out);
    for (int x = 0; x < out; ++x) {
        if (kind == u"area"_s) {
            const double from = x * scale;
            const double to = std::min((x + 1) * scale, double(in));
            const int first = int(std::floor(from));
            const int last = std::min(int(std::ceil(to)), in) - 1;
            const int start = int(t.weight.size());
            for (int i = first; i <= last; ++i)
                t.weight.push_back((std::min(to, double(i + 1)) - std::max(from, double(i))) / (to - from));
            t.taps.push_back({first, last - first + 1, start});
        } else {
            const double src = std::clamp((x + 0.5) * scale - 0.5, 0.0, double(in - 1));
            const int i = std::min(int(src), in - 1);
            const double f = src - i;
            t.add(i, {1 - f, f});
        }
    }
    return t;
}

// Applies taps along rows (horizontal) or columns into dst; indices outside the source are clamped to its
// border.
void apply(const std::vector<double> &src, std::vector<double> &dst, int w, int h, int c, const Taps &taps,
           bool horizontal)
{
    const int outW = horizontal ? int(taps.taps.size()) : w;
    const int outH = horizontal ? h : int(taps.taps.size());
    dst.assign(size_t(outW) * size_t(outH) * size_t(c), 0.0);
    const int limit = horizontal ? w : h;
    for (int y = 0; y < outH; ++y)
        for (int x = 0; x < outW; ++x) {
            const Tap &tap = taps.taps[size_t(horizontal ? x : y)];
            double *o = &dst[(size_t(y) * size_t(outW) + size_t(x)) * size_t(c)];
            for (int k = 0; k < tap.count; ++k) {
                const int s = std::clamp(tap.first + k, 0, limit - 1);
                const double wk = taps.weight[size_t(tap.weights + k)];
                const double *i = &src[(horizontal ? size_t(y) * size_t(w) + size_t(s)
                                                   : size_t(s) * size_t(w) + size_t(x)) *
                                       size_t(c)];
                for (int ch = 0; ch < c; ++ch)
                    o[ch] += wk * i[ch];
            }
        }
}

// ITU-R BT.601 luma in integers, so that every implementation agrees to the last bit.
inline int luma(int r, int g, int b)
{
    return (299 * r + 587 * g + 114 * b + 500) / 1000;
}

// Transforms one image: grayscale (alpha dropped), then blur, then resize, rounded once at the end.
void transform(const Params &p, const std::uint8_t *in, const ImageEntry &inShape, std::uint8_t *out,
               const ImageEntry &outShape)
{
    const int w = int(inShape.width), h = int(inShape.height), cin = int(inShape.channels);
    const int c = int(outShape.channels);
    const bool blur = p.blur != u"none"_s;
    const bool resize = outShape.width != inShape.width || outShape.height != inShape.height;
    if (!blur && !resize) { // exact, no floating point
        for (qint64 i = 0; i < qint64(w) * h; ++i) {
            const std::uint8_t *s = in + i * cin;
            if (c == cin)
                std::copy_n(s, c, out + i * c);
            else
                out[i] = std::uint8_t(luma(s[0], s[1], s[2]));
        }
        return;
    }
    // Kept across images: a fresh buffer per pass would fault in hundreds of MB of pages per photo.
    thread_local std::vector<double> buffer, next;
    buffer.resize(size_t(w) * size_t(h) * size_t(c));
    const auto pass = [&](int cw, int ch, const Taps &taps, bool horizontal) {
        apply(buffer, next, cw, ch, c, taps, horizontal);
        std::swap(buffer, next);
    };
    for (qint64 i = 0; i < qint64(w) * h; ++i) {
        const std::uint8_t *s = in + i * cin;
        if (c == cin)
            for (int ch = 0; ch < c; ++ch)
                buffer[size_t(i * c + ch)] = s[ch];
        else
            buffer[size_t(i)] = luma(s[0], s[1], s[2]);
    }
    int cw = w, ch = h;
    if (blur) {
        pass(cw, ch, blurTaps(cw, p.blur, p.radius), true);
        pass(cw, ch, blurTaps(ch, p.blur, p.radius), false);
    }
    if (resize) {
        pass(cw, ch, resizeTaps(cw, int(outShape.width), p.resample), true);
        cw = int(outShape.width);
        pass(cw, ch, resizeTaps(ch, int(outShape.height), p.resample), false);
        ch = int(outShape.height);
    }
    for (size_t i = 0; i < buffer.size(); ++i)
        out[i] = std::uint8_t(std::clamp(std::lround(buffer[i]), 0L, 255L));
}

// Features of one (transformed) image: mean R, G, B (a gray image's one channel stands for all three; alpha
// is not counted) and the histogram of brightness (luma) in `bins` equal bins over 0..255.
QCborArray features(const std::uint8_t *px, const ImageEntry &shape, int bins)
{
    const qint64 n = shape.width * shape.height;
    const int c = int(shape.channels);
    std::vector<qint64> hist(size_t(bins), 0);
    qint64 sum[3] = {0, 0, 0};
    for (qint64 i = 0; i < n; ++i) {
        const std::uint8_t *s = px + i * c;
        const int r = s[0], g = c >= 3 ? s[1] : s[0], b = c >= 3 ? s[2] : s[0];
        sum[0] += r;
        sum[1] += g;
        sum[2] += b;
        const int y = c >= 3 ? luma(r, g, b) : r;
        ++hist[size_t(y * bins / 256)];
    }
    QCborArray counts;
    for (qint64 k : hist)
        counts.append(k);
    return {shape.width,
            shape.height,
            shape.channels,
            double(sum[0]) / double(n),
            double(sum[1]) / double(n),
            double(sum[2]) / double(n),
            counts};
}

// Output file names: the input's base name with the new extension; base names that occur more than once
// (photo.png and photo.jpg) keep their old extension in the name (photo_png.png, photo_jpg.png).
QStringList outputNames(const QStringList &inputs, const QString &extension)
{
    QHash<QString, int> count;
    for (const QString &name : inputs)
        ++count[QFileInfo(name).completeBaseName()];
    QStringList names;
    for (const QString &name : inputs) {
        const QFileInfo info(name);
        const QString base = info.completeBaseName();
        names << (count.value(base) > 1 ? base + u'_' + info.suffix() : base) + u'.' + extension;
    }
    return names;
}

// A reducer of its own: each task's images are encoded to files as its result arrives.
class ImagePipelineReducer final : public Reducer
{
public:
    explicit ImagePipelineReducer(const RunContext &context)
        : m_params(context.params)
        , m_output(context.output)
        , m_rows(size_t(context.data->imageCount()))
    {
        if (m_output)
            m_fileNames = outputNames(context.data->columnNames(), m_params.imageFormat);
    }

    void add(qint64 begin, qint64 end, const QCborValue &part) override
    {
        const QCborArray rows = part.toArray();
        for (qint64 i = begin; i < end && i - begin < rows.size(); ++i)
            m_rows[size_t(i)] = rows[i - begin].toArray();
        if (!m_output || m_writeFailure)
            return;
        // Written as each task's result arrives, while the workers go on with the next tasks.
        for (qint64 i = begin; i < end; ++i) {
            const QString path = QDir(m_params.outputDir).filePath(m_fileNames[i]);
            if (auto failure = imageFileWriter()(path, m_output->imagePixels(i), m_output->image(i))) {
                m_writeFailure = failure;
                return;
            }
            ++m_written;
        }
    }

    Result<JobResult> finish(const RunContext &context) override
    {
        if (m_writeFailure)
            return *m_writeFailure;
        const QStringList names = context.data->columnNames();
        const QStringList keys{u"width"_s, u"height"_s, u"channels"_s, u"mean_r"_s, u"mean_g"_s, u"mean_b"_s};
        QCborArray table;
        for (size_t i = 0; i < m_rows.size(); ++i) {
            const QCborArray &r = m_rows[i];
            QCborMap row{{u"name"_s, names.value(qsizetype(i))}};
            for (qsizetype k = 0; k < 6; ++k)
                row.insert(keys[k], r[k]);
            row.insert(u"histogram"_s, r[6]);
            table.append(row);
        }
        QCborArray skipped;
        for (const QString &note : context.data->readerNotes()) {
            const qsizetype colon = note.indexOf(u": "_s);
            skipped.append(QCborMap{{u"file"_s, note.left(colon)}, {u"reason"_s, note.mid(colon + 2)}});
        }
        QCborMap result;
        result.insert(u"images"_s, qint64(m_rows.size()));
        if (m_output) {
            result.insert(u"output_dir"_s, QFileInfo(m_params.outputDir).absoluteFilePath());
            result.insert(u"written"_s, m_written);
        }
        result.insert(u"skipped"_s, skipped);
        result.insert(u"features"_s, table);
        return JobResult{result, nullptr, {}};
    }

private:
    Params m_params;
    const SharedArray *m_output;
    std::vector<QCborArray> m_rows;
    QStringList m_fileNames;
    qint64 m_written = 0;
    std::optional<Failure> m_writeFailure;
};

class ImagePipeline final : public Job
{
public:
    QString name() const override { return u"image-pipeline"_s; }
    QString summary() const override
    {
        return u"Per image of a folder: grayscale, blur, resize; mean RGB and brightness histogram"_s;
    }
    QList<ParamSpec> params() const override
    {
        return {
            {u"grayscale"_s,
             ParamType::Bool,
             false,
             {},
             {},
             {},
             u"Convert to gray (ITU-R 601 luma; alpha dropped)"_s},
            {u"blur"_s,
             ParamType::Choice,
             u"none"_s,
             {},
             {},
             {u"none"_s, u"box"_s, u"gaussian"_s},
             u"Blur: none, a box, or a Gaussian (sigma 0.3 * (radius - 1) + 0.8)"_s},
            {u"radius"_s,
             ParamType::Int,
             qint64(2),
             qint64(1),
             qint64(100),
             {},
             u"Blur radius in pixels: the kernel is 2 * radius + 1 wide"_s},
            {u"width"_s,
             ParamType::Int,
             qint64(0),
             qint64(0),
             qint64(65536),
             {},
             u"Resize to this width in pixels (0: keep the width)"_s},
            {u"height"_s,
             ParamType::Int,
             qint64(0),
             qint64(0),
             qint64(65536),
             {},
             u"Resize to this height in pixels (0: keep the height)"_s},
            {u"resample"_s,
             ParamType::Choice,
             u"bilinear"_s,
             {},
             {},
             {u"bilinear"_s, u"area"_s},
             u"Resize by bilinear interpolation, or by area averaging (best for shrinking)"_s},
            {u"bins"_s,
             ParamType::Int,
             qint64(16),
             qint64(1),
             qint64(256),
             {},
             u"Bins of the brightness histogram over 0..255"_s},
            {u"output-dir"_s,
             ParamType::String,
             QString(),
             {},
             {},
             {},
             u"Folder the transformed images are written to (created if missing; empty: not written)"_s},
            {u"image-format"_s,
             ParamType::Choice,
             u"png"_s,
             {},
             {},
             {u"png"_s, u"jpg"_s, u"bmp"_s},
             u"File format of the transformed images"_s},
        };
    }
    ResultKind resultKind() const override { return ResultKind::ImageFeatures; }
    InputUse input() const override { return InputUse::Read; }
    QList<OutputFormat> outputFormats() const override { return {OutputFormat::Csv, OutputFormat::Json}; }

    Result<qint64> plan(const RunContext &context) const override
    {
        if (!context.data->isImageSet())
            return usageFailure(u"image-pipeline needs a folder of images as --input"_s);
        const QString dir = Params(context.params).outputDir;
        if (!dir.isEmpty()) {
            const QFileInfo info(dir);
            if (info.exists() && !info.isDir())
                return usageFailure(u"--output-dir: \"%1\" is a file, not a folder"_s.arg(dir));
            if (!QDir().mkpath(dir))
                return inputFailure(dir, u"cannot create the output folder"_s);
            if (!imageFileWriter())
                return usageFailure(u"--output-dir: no image encoder in this program"_s);
        }
        return context.data->imageCount();
    }

    Result<std::optional<SharedArray>> createOutput(const RunContext &context) const override
    {
        const Params p(context.params);
        if (p.outputDir.isEmpty())
            return std::optional<SharedArray>(); // the workers transform into a private buffer
        std::vector<ImageEntry> shapes;
        for (qint64 i = 0; i < context.data->imageCount(); ++i)
            shapes.push_back(p.outputShape(context.data->image(i)));
        auto output = SharedArray::createImages(shapes, context.data->columnNames());
        if (!output)
            return output.failure();
        return std::optional<SharedArray>(std::move(output).value());
    }

    QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const override
    {
        const Params p(context.params());
        const SharedArray &data = *context.data();
        SharedArray *output = context.output();
        std::vector<std::uint8_t> scratch;
        QCborArray rows;
        for (qint64 i = begin; i < end && !context.cancelled(); ++i) {
            context.atItem(i); // a crash on a broken image names it: the scheduler retries it alone
            const ImageEntry in = data.image(i);
            ImageEntry shape = p.outputShape(in);
            std::uint8_t *out = nullptr;
            if (output) {
                shape = output->image(i);
                out = output->imagePixels(i);
            } else {
                scratch.resize(size_t(shape.bytes()));
                out = scratch.data();
            }
            transform(p, data.imagePixels(i), in, out, shape);
            rows.append(features(out, shape, p.bins));
            context.reportProgress(i + 1 - begin);
        }
        return rows;
    }

    std::unique_ptr<Reducer> makeReducer(const RunContext &context) const override
    {
        return std::make_unique<ImagePipelineReducer>(context);
    }
};

} // namespace

std::unique_ptr<Job> makeImagePipeline()
{
    return std::make_unique<ImagePipeline>();
}

} // namespace brigade::jobs
