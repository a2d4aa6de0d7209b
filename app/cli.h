/* cli.h: shared plumbing of placer-cli's subcommands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "zones.h"

G_BEGIN_DECLS

/* Exit codes: the contract with scripts. */
enum {
  CLI_EXIT_OK = 0,
  CLI_EXIT_FINDINGS = 1,
  CLI_EXIT_USAGE = 2,
  CLI_EXIT_BAD_INPUT = 3,
};

typedef int (*CliCommand) (int argc, char **argv);

int   cli_fail         (GError      *error);
int   cli_usage        (GOptionContext *context,
                        const char  *message);
void  cli_print_json   (JsonNode    *node);
gboolean cli_parse     (GOptionContext *context,
                        int         *argc,
                        char      ***argv,
                        int         *exit_code);
JsonNode *cli_crs_node (GisCrs      *crs);
void  cli_json_add_number (JsonBuilder *builder,
                        const char  *name,
                        double       value);
JsonNode *cli_extent_node (const GisEnvelope *extent);

/* The clustering options of placer-cli clusters, shared with compare so that the same options
 * number the clusters the same way. */
typedef struct {
  double    eps_m;
  int       min_sites;
  gint64    min_workers;
  char     *mineral;
  gboolean  concave;
} CliClusterOptions;

void        cli_cluster_options_add   (GOptionContext    *context,
                                       CliClusterOptions *options);
const char *cli_cluster_options_apply (CliClusterOptions *options,
                                       ZonesClusterParams *params);
void        cli_cluster_options_clear (CliClusterOptions *options);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliClusterOptions, cli_cluster_options_clear)

GisGeometry *cli_read_shape    (GisProject  *project,
                                const char  *wkt,
                                const char  *wkt_crs,
                                const char  *file,
                                const char  *layer,
                                gint64       fid,
                                GError     **error);

int   cli_project      (int argc, char **argv);
int   cli_area         (int argc, char **argv);
int   cli_unallocated  (int argc, char **argv);
int   cli_zone         (int argc, char **argv);
int   cli_capacity     (int argc, char **argv);
int   cli_clusters     (int argc, char **argv);
int   cli_sites        (int argc, char **argv);
int   cli_render       (int argc, char **argv);
int   cli_compare      (int argc, char **argv);

G_END_DECLS
