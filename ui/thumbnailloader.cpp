// ThumbnailLoader: QImageReader with a scaled size decodes less (JPEG at a fraction of full size).
#include "ui/thumbnailloader.h"

#include <QImageReader>
#include <QThread>

using namespace Qt::StringLiterals;

namespace brigade {

ThumbnailLoader::ThumbnailLoader(QObject *parent)
    : QObject(parent)
    , m_thread(new QThread(this))
    , m_context(new QObject)
{
    m_thread->setObjectName(u"thumbnails"_s);
    m_context->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread->start(QThread::LowPriority);
}

ThumbnailLoader::~ThumbnailLoader()
{
    cancel();
    m_thread->quit();
    m_thread->wait();
}

void ThumbnailLoader::cancel()
{
    ++*m_generation;
    m_pending = 0;
}

void ThumbnailLoader::load(const QStringList &paths, const QSize &box)
{
    cancel();
    const int generation = *m_generation;
    m_pending = 1;
    // Results are posted to this object: once the thread has ended (the destructor waits for it), no more
    // are posted, and those still queued die with this object.
    QMetaObject::invokeMethod(m_context, [this, paths, box, generation, current = m_generation] {
        for (int i = 0; i < paths.size(); ++i) {
            if (*current != generation)
                return;
            QImageReader reader(paths[i]);
            reader.setAutoTransform(true);
            const QSize full = reader.size();
            if (full.isValid())
                reader.setScaledSize(full.scaled(box, Qt::KeepAspectRatio).expandedTo({1, 1}));
            QImage image = reader.read();
            if (!image.isNull() && (image.width() > box.width() || image.height() > box.height()))
                image = image.scaled(box, Qt::KeepAspectRatio, Qt::SmoothTransformation);
            const QString reason = image.isNull() ? reader.errorString() : QString();
            QMetaObject::invokeMethod(
                this,
                [this, i, image, reason, generation] {
                    if (*m_generation != generation)
                        return;
                    if (image.isNull())
                        Q_EMIT thumbnailFailed(i, reason);
                    else
                        Q_EMIT thumbnailLoaded(i, image);
                },
                Qt::QueuedConnection);
        }
        QMetaObject::invokeMethod(
            this,
            [this, generation] {
                if (*m_generation != generation)
                    return;
                m_pending = 0;
                Q_EMIT batchFinished();
            },
            Qt::QueuedConnection);
    });
}

} // namespace brigade
