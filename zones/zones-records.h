/* zones-records.h: a layer read through its field mapping, in the working CRS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "gis.h"
#include "zones-schema.h"

G_BEGIN_DECLS

/**
 * ZonesRecord:
 * @fid: the feature id in its source
 * @geometry: (nullable): in the working CRS
 * @values: one value per field of the role (zones_role_get_fields() order): Placer's value
 *   for coded fields, the source text for the others, %NULL when null or not mapped
 * @raw: the source text of the same fields, for messages
 * @n_values: how many fields @values and @raw have (either may hold %NULL before the end)
 */
typedef struct {
  gint64       fid;
  GisGeometry *geometry;
  char       **values;    /* n_values of them, any of them NULL */
  char       **raw;
  guint        n_values;
} ZonesRecord;

/**
 * ZonesInvalidInput:
 * @layer: "file, layer" label of the source
 * @fid: the feature
 * @reason: GEOS's reason, e.g. "Self-intersection[29.1 -2.3]"
 * @repaired: whether it was repaired (only with --repair)
 */
typedef struct {
  char    *layer;
  gint64   fid;
  char    *reason;
  gboolean repaired;
} ZonesInvalidInput;

void zones_invalid_input_free (ZonesInvalidInput *input);

/**
 * ZonesInput:
 * @label: "file, layer" for messages and the run record
 * @path: the file read
 * @layer: the layer inside it
 * @role: its role
 * @crs: its CRS
 * @mapping: its field mapping
 * @checksum: SHA-256 of @path (of the project file for embedded layers); %NULL for a file
 *   given on the command line until zones_input_dup_checksum() hashes it
 * @extent: extent in @crs
 * @kind: "vector" or "raster"
 */
typedef struct {
  char         *label;
  char         *path;
  char         *layer;
  char         *role;
  GisCrs       *crs;
  ZonesMapping *mapping;
  char         *checksum;
  GisEnvelope   extent;
  char         *kind;
} ZonesInput;

char *zones_input_dup_checksum (ZonesInput *input);

void        zones_input_free       (ZonesInput *input);
ZonesInput *zones_input_from_file  (const char   *path,
                                    const char   *role,
                                    GError      **error);
GPtrArray  *zones_inputs_from_project (GisProject *project,
                                    const char   *role,
                                    GError      **error);

typedef struct {
  ZonesInput *input;      /* borrowed */
  GPtrArray  *records;    /* ZonesRecord */
  GPtrArray  *invalid;    /* ZonesInvalidInput */
  guint       n_fields;
} ZonesRecordSet;

typedef gboolean (*ZonesRecordsFunc) (ZonesRecordSet *set,
                                      gpointer        user_data,
                                      GError        **error);

void            zones_record_set_free (ZonesRecordSet *set);
ZonesRecordSet *zones_record_set_read_each (ZonesInput *input,
                                       GisCrs       *working_crs,
                                       gboolean      repair,
                                       guint         batch,
                                       ZonesRecordsFunc func,
                                       gpointer      user_data,
                                       GCancellable *cancellable,
                                       GError      **error);
ZonesRecordSet *zones_record_set_read (ZonesInput   *input,
                                       GisCrs       *working_crs,
                                       gboolean      repair,
                                       GCancellable *cancellable,
                                       GError      **error);
int             zones_record_set_field_index (ZonesRecordSet *set,
                                       const char   *field);
const char     *zones_record_get      (ZonesRecordSet *set,
                                       ZonesRecord   *record,
                                       const char    *field);

gboolean        zones_input_lonlat_extent (ZonesInput  *input,
                                       GisEnvelope   *lonlat,
                                       GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesInput, zones_input_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZonesRecordSet, zones_record_set_free)

G_END_DECLS
