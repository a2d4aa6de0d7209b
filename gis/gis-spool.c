/* gis-spool.c: shapes parked in a temporary file
 *
 * The file is opened with O_TMPFILE where the system has it (never visible in the
 * directory), else created and unlinked at once. Shapes are written through a buffer and
 * read back with pread(), which several threads may call at once. Each shape is stored as
 * a header (its envelope, type and number of points, so that nothing needs to walk it
 * again when it comes back) followed by its WKB.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "gis-spool"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "gis-error.h"
#include "gis-private.h"
#include "gis-spool.h"

#define BUFFER_SIZE (256 * 1024)

typedef struct {
  GisEnvelope envelope;
  guint32     type;
  guint32     n_points;
} Header;

struct _GisSpool {
  int      fd;
  char    *dir;
  guint64  flushed;   /* bytes in the file */
  guint8  *buffer;    /* the next bytes, not yet written */
  gsize    buffered;
  GMutex   lock;      /* flushing, when a get needs bytes still in the buffer */
};

static void
set_io_error (GisSpool *self, int err, const char *what, GError **error)
{
  g_set_error (error, GIS_ERROR, GIS_ERROR_IO,
               "Could not %s the temporary file in %s: %s", what, self->dir,
               g_strerror (err));
}

/**
 * gis_spool_new:
 *
 * Opens a spool in the user's temporary directory (`TMPDIR`, else /tmp).
 *
 * Returns: (transfer full): the spool, or %NULL with a #GIS_ERROR_IO error naming the
 *   directory
 */
GisSpool *
gis_spool_new (GError **error)
{
  GisSpool *self = g_new0 (GisSpool, 1);

  self->dir = g_strdup (g_get_tmp_dir ());
  self->fd = -1;
#ifdef O_TMPFILE
  self->fd = open (self->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
  if (self->fd < 0)
    {
      g_autofree char *path = g_build_filename (self->dir, "placer-spool-XXXXXX", NULL);
      self->fd = g_mkstemp_full (path, O_RDWR | O_CLOEXEC, 0600);
      if (self->fd >= 0)
        g_unlink (path);
    }
  if (self->fd < 0)
    {
      set_io_error (self, errno, "create", error);
      gis_spool_free (self);
      return NULL;
    }
  g_mutex_init (&self->lock);
  return self;
}

void
gis_spool_free (GisSpool *self)
{
  if (self == NULL)
    return;
  if (self->fd >= 0)
    {
      close (self->fd);
      g_mutex_clear (&self->lock);
    }
  g_free (self->buffer);
  g_free (self->dir);
  g_free (self);
}

static gboolean
write_at (GisSpool *self, const guint8 *data, gsize len, guint64 offset, GError **error)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = pwrite (self->fd, data + done, len - done, (off_t) (offset + done));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          set_io_error (self, n < 0 ? errno : ENOSPC, "write", error);
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

/* Writes the buffer out; the caller holds the lock. */
static gboolean
flush (GisSpool *self, GError **error)
{
  if (!write_at (self, self->buffer, self->buffered, self->flushed, error))
    return FALSE;
  self->flushed += self->buffered;
  self->buffered = 0;
  return TRUE;
}

/**
 * gis_spool_put:
 * @ref: (out): where the shape lies, for gis_spool_get()
 *
 * Returns: %FALSE with a #GIS_ERROR_IO error when the file cannot be written (a full disk)
 */
gboolean
gis_spool_put (GisSpool *self, GisGeometry *geometry, GisSpoolRef *ref, GError **error)
{
  gsize len = 0;
  const guint8 *wkb;
  gboolean ok = TRUE;
  Header header;

  g_return_val_if_fail (self != NULL && geometry != NULL && ref != NULL, FALSE);

  wkb = gis_geometry_peek_wkb (geometry, &len);
  if (len > G_MAXUINT32 - sizeof (Header))
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_GEOMETRY,
                   "A shape of %" G_GSIZE_FORMAT " bytes is too large to be spooled", len);
      return FALSE;
    }
  gis_geometry_get_envelope (geometry, &header.envelope);
  header.type = gis_geometry_get_geometry_type (geometry);
  header.n_points = gis_geometry_get_n_points (geometry);
  g_mutex_lock (&self->lock);
  if (self->buffer == NULL)
    self->buffer = g_malloc (BUFFER_SIZE);
  ref->offset = self->flushed + self->buffered;
  ref->length = (guint32) (len + sizeof header);
  if (self->buffered + sizeof header + len > BUFFER_SIZE)
    ok = flush (self, error);
  if (ok)
    {
      memcpy (self->buffer + self->buffered, &header, sizeof header);
      self->buffered += sizeof header;
    }
  if (ok && self->buffered + len > BUFFER_SIZE)
    {
      /* A large shape goes straight to the file, after its header. */
      ok = flush (self, error) && write_at (self, wkb, len, self->flushed, error);
      if (ok)
        self->flushed += len;
    }
  else if (ok)
    {
      memcpy (self->buffer + self->buffered, wkb, len);
      self->buffered += len;
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

/**
 * gis_spool_get:
 *
 * Returns: (transfer full): the shape put under @ref, or %NULL with a #GIS_ERROR_IO error
 */
GisGeometry *
gis_spool_get (GisSpool *self, const GisSpoolRef *ref, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  guint8 *data;
  gsize done = 0;
  GisGeometry *g;

  g_return_val_if_fail (self != NULL && ref != NULL, NULL);

  {
    gboolean ok;
    g_mutex_lock (&self->lock);
    /* Reading starts when writing is done, as a rule: what is buffered goes to the file
     * and the buffer goes too (a later put makes a new one). */
    ok = TRUE;
    if (self->buffer != NULL)
      {
        ok = flush (self, error);
        if (ok)
          g_clear_pointer (&self->buffer, g_free);
      }
    g_mutex_unlock (&self->lock);
    if (!ok)
      return NULL;
  }
  data = g_malloc (ref->length);
  while (done < ref->length)
    {
      ssize_t n = pread (self->fd, data + done, ref->length - done,
                         (off_t) (ref->offset + done));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          set_io_error (self, n < 0 ? errno : EIO, "read", error);
          g_free (data);
          return NULL;
        }
      done += (gsize) n;
    }
  if (ref->length < sizeof (Header) + 5)
    {
      g_set_error (error, GIS_ERROR, GIS_ERROR_IO,
                   "The temporary file in %s gave back a damaged shape", self->dir);
      g_free (data);
      return NULL;
    }
  {
    Header header;
    memcpy (&header, data, sizeof header);
    bytes = g_bytes_new_with_free_func (data + sizeof header, ref->length - sizeof header,
                                        g_free, data);
    g = _gis_geometry_new_known (bytes, &header.envelope, (GisGeometryType) header.type,
                                 header.n_points);
  }
  return g;
}

/**
 * gis_spool_get_size:
 *
 * Returns: the bytes put so far
 */
guint64
gis_spool_get_size (GisSpool *self)
{
  guint64 size;

  g_return_val_if_fail (self != NULL, 0);
  g_mutex_lock (&self->lock);
  size = self->flushed + self->buffered;
  g_mutex_unlock (&self->lock);
  return size;
}
