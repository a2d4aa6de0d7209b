/* placer-cli.c: the headless tool
 *
 * Each subcommand parses its arguments, calls the same blocking zones_* or gis_* function
 * the desktop app runs in a worker, and maps errors to exit codes: 0 ok, 1 findings,
 * 2 usage, 3 bad input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "placer-cli"

#include <locale.h>
#include <stdio.h>

#include "cli.h"

static const struct {
  const char *name;
  CliCommand  run;
  const char *summary;
} commands[] = {
  { "project", cli_project, "create a project, add layers, show what it holds" },
  { "area", cli_area, "geodesic area of each polygon in a file, in hectares" },
  { "unallocated", cli_unallocated, "deposit land that no title holds, and the LSM review list" },
  { "zone", cli_zone, "the zone register: add, validate, designate, history, undo" },
  { "capacity", cli_capacity, "how many miners each zone can carry, and what binds it" },
  { "clusters", cli_clusters, "clusters of ASM sites, and those that straddle a border" },
  { "compare", cli_compare, "a shared area as each country sees it, rule packs side by side" },
  { "sites", cli_sites, "ASM sites: import visits, latest visit per site, certification" },
  { "render", cli_render, "a map image of the project, with legend, scale bar and north arrow" },
};

static void
print_help (FILE *out)
{
  fprintf (out, "Usage: placer-cli COMMAND [ARGS…]\n\n"
                "Placer plans artisanal and small-scale mining zones.\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun “placer-cli COMMAND --help” for a command's options.\n"
                "Exit codes: 0 ok, 1 findings, 2 usage error, 3 bad input.\n");
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  gis_init ();

  if (argc < 2)
    {
      print_help (stderr);
      return CLI_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_help (stdout);
      return CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_autofree char *versions = gis_dup_library_versions ();
      printf ("placer-cli %s\n%s", PLACER_VERSION, versions);
      return CLI_EXIT_OK;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);

  fprintf (stderr, "placer-cli: unknown command “%s”\n\n", argv[1]);
  print_help (stderr);
  return CLI_EXIT_USAGE;
}
