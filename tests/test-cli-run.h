/* test-cli-run.h: running placer-cli from a test, as a script would
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sys/wait.h>

#include <json-glib/json-glib.h>

#include "test-common.h"

/* One run: exit status and what it printed. */
typedef struct {
  int   status;
  char *out;
  char *err;
} Run;

static inline void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs $PLACER_CLI with the NULL-terminated arguments. */
static inline void
cli (Run *r, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *exe = g_getenv ("PLACER_CLI");
  va_list ap;
  const char *a;
  int wait_status = 0;

  assert_non_null (exe);
  g_ptr_array_add (argv, (gpointer) exe);
  va_start (ap, r);
  while ((a = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                             &r->out, &r->err, &wait_status, &error));
  assert_no_error (error);
  r->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
}

/* The JSON object a run printed; fails the test when it is not JSON. */
static inline JsonObject *
parse (const char *text, JsonParser **parser)
{
  g_autoptr(GError) error = NULL;

  *parser = json_parser_new ();
  if (!json_parser_load_from_data (*parser, text, -1, &error))
    fail_msg ("not JSON: %s\n%s", error->message, text);
  return json_node_get_object (json_parser_get_root (*parser));
}
