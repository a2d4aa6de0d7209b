/* zones-capacity.c: the carrying-capacity model and its parameter tables
 *
 *   A_w      workable area (ha): zone ∩ deposits in scope − excluded land use
 *   C_area   = A_w / plot_ha_per_team × team_size
 *   T        = A_w × 10⁴ × thickness × density × mineable_fraction               (tonnes)
 *   C_res    = T / (ore_t_per_miner_day × working_days_per_year × planning_horizon_years)
 *   C_water  = W × allowed_share / (ore_t_per_miner_day × water_m3_per_t
 *                                   + domestic_m3_per_person_day × household_factor)
 *   capacity = min (C_area, C_res, C_water), and the smallest names the binding constraint
 *   income   = ore_t_per_miner_day × days × grade × recovery × price × miner_share
 *
 * The low and high capacities take every parameter at the end of its range that lowers
 * (raises) the capacity: each term is monotonic in each parameter, so these are the true
 * extremes of the parameter box.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "zones-capacity"

#include <math.h>
#include <string.h>

#include "zones-capacity.h"
#include "zones-csv.h"
#include "zones-error.h"
#include "zones-validate.h"

static const struct {
  const char *name;
  const char *unit;
  int         capacity_direction;  /* +1 raises capacity, −1 lowers it, 0 no effect */
  int         income_direction;
} params[ZONES_N_PARAMS] = {
  [ZONES_PARAM_PLOT_HA_PER_TEAM] = { "plot_ha_per_team", "ha", -1, 0 },
  [ZONES_PARAM_TEAM_SIZE] = { "team_size", "people", +1, 0 },
  [ZONES_PARAM_THICKNESS_M] = { "thickness_m", "m", +1, 0 },
  [ZONES_PARAM_DENSITY_T_M3] = { "density_t_m3", "t/m³", +1, 0 },
  [ZONES_PARAM_MINEABLE_FRACTION] = { "mineable_fraction", "0-1", +1, 0 },
  [ZONES_PARAM_ORE_T_PER_MINER_DAY] = { "ore_t_per_miner_day", "t", -1, +1 },
  [ZONES_PARAM_WORKING_DAYS_PER_YEAR] = { "working_days_per_year", "days", -1, +1 },
  [ZONES_PARAM_PLANNING_HORIZON_YEARS] = { "planning_horizon_years", "years", -1, 0 },
  [ZONES_PARAM_WATER_M3_PER_T] = { "water_m3_per_t", "m³/t", -1, 0 },
  [ZONES_PARAM_DOMESTIC_M3_PER_PERSON_DAY] = { "domestic_m3_per_person_day", "m³", -1, 0 },
  [ZONES_PARAM_HOUSEHOLD_FACTOR] = { "household_factor", "people per miner", -1, 0 },
  [ZONES_PARAM_WATER_ALLOWED_SHARE] = { "water_allowed_share", "0-1", +1, 0 },
  [ZONES_PARAM_GRADE_KG_PER_T] = { "grade_kg_per_t", "kg/t", 0, +1 },
  [ZONES_PARAM_RECOVERY] = { "recovery", "0-1", 0, +1 },
  [ZONES_PARAM_PRICE_USD_PER_KG] = { "price_usd_per_kg", "USD/kg", 0, +1 },
  [ZONES_PARAM_MINER_SHARE] = { "miner_share", "0-1", 0, +1 },
  [ZONES_PARAM_LIVING_INCOME_USD_PER_YEAR] = { "living_income_usd_per_year", "USD", 0, 0 },
};

const char *
zones_capacity_param_name (ZonesCapacityParam p)
{
  g_return_val_if_fail (p < ZONES_N_PARAMS, NULL);
  return params[p].name;
}

const char *
zones_capacity_param_unit (ZonesCapacityParam p)
{
  g_return_val_if_fail (p < ZONES_N_PARAMS, NULL);
  return params[p].unit;
}

int
zones_capacity_param_from_name (const char *name)
{
  for (int i = 0; i < ZONES_N_PARAMS; i++)
    if (g_strcmp0 (params[i].name, name) == 0)
      return i;
  return -1;
}

const char *
zones_scenario_name (ZonesScenario s)
{
  return s == ZONES_LOW ? "low" : s == ZONES_HIGH ? "high" : "central";
}

const char *
zones_binding_name (ZonesBinding b)
{
  return b == ZONES_BINDING_AREA ? "area" : b == ZONES_BINDING_RESOURCE ? "resource" : "water";
}

void
zones_param_set_clear (ZonesParamSet *set)
{
  for (int i = 0; i < ZONES_N_PARAMS; i++)
    g_clear_pointer (&set->provenance[i], g_free);
}

void
zones_param_set_copy (ZonesParamSet *dest, const ZonesParamSet *src)
{
  memcpy (dest->values, src->values, sizeof dest->values);
  for (int i = 0; i < ZONES_N_PARAMS; i++)
    dest->provenance[i] = g_strdup (src->provenance[i]);
}

/* ---------------------------------------------------------------------------------------- */
/* The model */

typedef struct {
  double v[ZONES_N_PARAMS];
} Point;

/* One parameter vector: for capacity scenarios each parameter is taken at the end of its
 * range that pushes capacity the scenario's way; for income, the income's way. */
static Point
scenario_point (const ZonesParamSet *set, ZonesScenario s, gboolean for_income)
{
  Point p;

  for (int i = 0; i < ZONES_N_PARAMS; i++)
    {
      int dir = for_income ? params[i].income_direction : params[i].capacity_direction;
      ZonesScenario pick = ZONES_CENTRAL;
      if (s != ZONES_CENTRAL && dir != 0)
        {
          gboolean want_high = (s == ZONES_HIGH) == (dir > 0);
          double lo = set->values[i][ZONES_LOW], hi = set->values[i][ZONES_HIGH];
          /* The table's "low" and "high" are the parameter's own ends, in either order. */
          pick = want_high == (hi >= lo) ? ZONES_HIGH : ZONES_LOW;
        }
      p.v[i] = set->values[i][pick];
    }
  return p;
}

static void
terms (const Point *p, double workable_ha, double water_m3_day, double *c_area, double *c_res,
       double *c_water)
{
  const double *v = p->v;
  double tonnes = workable_ha * 1e4 * v[ZONES_PARAM_THICKNESS_M] * v[ZONES_PARAM_DENSITY_T_M3] *
                  v[ZONES_PARAM_MINEABLE_FRACTION];
  double per_miner = v[ZONES_PARAM_ORE_T_PER_MINER_DAY] * v[ZONES_PARAM_WATER_M3_PER_T] +
                     v[ZONES_PARAM_DOMESTIC_M3_PER_PERSON_DAY] * v[ZONES_PARAM_HOUSEHOLD_FACTOR];

  *c_area = workable_ha / v[ZONES_PARAM_PLOT_HA_PER_TEAM] * v[ZONES_PARAM_TEAM_SIZE];
  *c_res = tonnes / (v[ZONES_PARAM_ORE_T_PER_MINER_DAY] * v[ZONES_PARAM_WORKING_DAYS_PER_YEAR] *
                     v[ZONES_PARAM_PLANNING_HORIZON_YEARS]);
  *c_water = isnan (water_m3_day) ? INFINITY
                                  : water_m3_day * v[ZONES_PARAM_WATER_ALLOWED_SHARE] / per_miner;
}

/**
 * zones_capacity_compute:
 * @workable_ha: the zone's workable area
 * @water_m3_day: water available to the zone per day, or NAN when not assessed (then water
 *   does not bind)
 * @observed_workers: workers at the zone's sites (latest visits), or -1 when unknown
 * @out: (out caller-allocates): the capacities, binding constraints, incomes and load
 */
void
zones_capacity_compute (const ZonesParamSet *set, double workable_ha, double water_m3_day,
                        gint64 observed_workers, ZonesCapacity *out)
{
  g_return_if_fail (set != NULL && out != NULL);

  memset (out, 0, sizeof *out);
  out->workable_ha = workable_ha;
  out->water_m3_day = water_m3_day;
  for (int s = 0; s < ZONES_N_SCENARIOS; s++)
    {
      Point p = scenario_point (set, s, FALSE);
      Point q = scenario_point (set, s, TRUE);
      const double *v = q.v;

      terms (&p, workable_ha, water_m3_day, &out->area[s], &out->resource[s], &out->water[s]);
      out->capacity[s] = out->area[s];
      out->binding[s] = ZONES_BINDING_AREA;
      if (out->resource[s] < out->capacity[s])
        {
          out->capacity[s] = out->resource[s];
          out->binding[s] = ZONES_BINDING_RESOURCE;
        }
      if (out->water[s] < out->capacity[s])
        {
          out->capacity[s] = out->water[s];
          out->binding[s] = ZONES_BINDING_WATER;
        }
      out->income_usd[s] = v[ZONES_PARAM_ORE_T_PER_MINER_DAY] * v[ZONES_PARAM_WORKING_DAYS_PER_YEAR] *
                           v[ZONES_PARAM_GRADE_KG_PER_T] * v[ZONES_PARAM_RECOVERY] *
                           v[ZONES_PARAM_PRICE_USD_PER_KG] * v[ZONES_PARAM_MINER_SHARE];
      out->viable[s] = out->income_usd[s] >=
                       set->values[ZONES_PARAM_LIVING_INCOME_USD_PER_YEAR][ZONES_CENTRAL];
    }
  out->observed_workers = observed_workers;
  if (observed_workers >= 0 && out->capacity[ZONES_CENTRAL] > 0)
    {
      out->load_ratio = observed_workers / out->capacity[ZONES_CENTRAL];
      out->over_capacity = out->load_ratio > 1.0;
    }
  else
    out->load_ratio = NAN;
}

static int
compare_swing (gconstpointer a, gconstpointer b)
{
  const ZonesSensitivity *x = a, *y = b;
  if (x->swing != y->swing)
    return x->swing < y->swing ? 1 : -1;
  return (int) x->param - (int) y->param;
}

/**
 * zones_capacity_sensitivity:
 *
 * Moves each parameter alone from its low to its high value, the others at their central
 * values, and records the central capacity at both ends.
 *
 * Returns: (transfer full) (element-type ZonesSensitivity): the parameters that move the
 *   capacity, the one that moves it most first
 */
GArray *
zones_capacity_sensitivity (const ZonesParamSet *set, double workable_ha, double water_m3_day)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (ZonesSensitivity));

  g_return_val_if_fail (set != NULL, out);

  for (int i = 0; i < ZONES_N_PARAMS; i++)
    {
      ZonesSensitivity row = { i, 0, 0, 0 };
      for (int end = 0; end < 2; end++)
        {
          Point p = scenario_point (set, ZONES_CENTRAL, FALSE);
          double a, r, w, c;
          p.v[i] = set->values[i][end == 0 ? ZONES_LOW : ZONES_HIGH];
          terms (&p, workable_ha, water_m3_day, &a, &r, &w);
          c = MIN (a, MIN (r, w));
          if (end == 0)
            row.at_low = c;
          else
            row.at_high = c;
        }
      row.swing = fabs (row.at_high - row.at_low);
      if (row.swing > 0 && isfinite (row.swing))
        g_array_append_val (out, row);
    }
  g_array_sort (out, compare_swing);
  return out;
}

/* ---------------------------------------------------------------------------------------- */
/* Parameter tables */

typedef struct {
  char  *commodity;
  char  *deposit_type;
  char  *method;
  int    param;
  double v[ZONES_N_SCENARIOS];
  char  *provenance;
  guint  line;
} Row;

struct _ZonesParamTable {
  gatomicrefcount ref_count;
  GPtrArray      *rows;
  char           *source;
};

static void
row_free (Row *r)
{
  g_free (r->commodity);
  g_free (r->deposit_type);
  g_free (r->method);
  g_free (r->provenance);
  g_free (r);
}

/**
 * zones_param_table_ref:
 *
 * Returns: (transfer full): @t, with one more reference
 */
ZonesParamTable *
zones_param_table_ref (ZonesParamTable *t)
{
  g_return_val_if_fail (t != NULL, NULL);
  g_atomic_ref_count_inc (&t->ref_count);
  return t;
}

/**
 * zones_param_table_free:
 *
 * Drops one reference; the table goes with the last.
 */
void
zones_param_table_free (ZonesParamTable *t)
{
  if (t == NULL || !g_atomic_ref_count_dec (&t->ref_count))
    return;
  g_ptr_array_unref (t->rows);
  g_free (t->source);
  g_free (t);
}

const char *
zones_param_table_get_source (ZonesParamTable *t)
{
  return t->source;
}


/**
 * zones_param_table_new_from_data:
 * @label: the file name for messages
 *
 * Returns: (transfer full): the table, or %NULL with #ZONES_ERROR_RULES naming the line and
 *   the column
 */
ZonesParamTable *
zones_param_table_new_from_data (const char *text, const char *label, GError **error)
{
  g_autoptr(ZonesParamTable) t = g_new0 (ZonesParamTable, 1);
  g_auto(GStrv) lines = NULL;

  g_atomic_ref_count_init (&t->ref_count);
  gboolean header = FALSE;
  static const char *const columns[] = { "commodity", "deposit_type", "method", "parameter",
                                         "low", "central", "high", "provenance" };

  g_return_val_if_fail (text != NULL && label != NULL, NULL);

  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  t->source = g_strdup (label);
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES, "%s: not UTF-8 text", label);
      return NULL;
    }
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      const char *line = lines[i];
      g_autoptr(GPtrArray) cols = NULL;
      gboolean ok;
      Row *r;

      while (g_ascii_isspace (*line))
        line++;
      if (*line == '\0' || *line == '#')
        continue;
      cols = _zones_csv_split_line (line, &ok);
      if (!ok)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES, "%s:%u: unterminated quote", label, i + 1);
          return NULL;
        }
      if (!header)
        {
          for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
            if (cols->len != G_N_ELEMENTS (columns) ||
                g_strcmp0 (g_ptr_array_index (cols, c), columns[c]) != 0)
              {
                g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES,
                             "%s:%u: the header must be commodity,deposit_type,method,parameter,"
                             "low,central,high,provenance", label, i + 1);
                return NULL;
              }
          header = TRUE;
          continue;
        }
      if (cols->len != G_N_ELEMENTS (columns))
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES, "%s:%u: expected 8 columns, found %u",
                       label, i + 1, cols->len);
          return NULL;
        }
      r = g_new0 (Row, 1);
      g_ptr_array_add (t->rows, r);
      r->line = i + 1;
      r->commodity = g_strdup (g_ptr_array_index (cols, 0));
      r->deposit_type = g_strdup (g_ptr_array_index (cols, 1));
      r->method = g_strdup (g_ptr_array_index (cols, 2));
      r->param = zones_capacity_param_from_name (g_ptr_array_index (cols, 3));
      if (r->param < 0)
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES,
                       "%s:%u, column parameter: “%s” is not a capacity parameter", label, i + 1,
                       (char *) g_ptr_array_index (cols, 3));
          return NULL;
        }
      for (int s = 0; s < ZONES_N_SCENARIOS; s++)
        {
          const char *text_v = g_ptr_array_index (cols, 4 + s);
          char *end = NULL;
          r->v[s] = g_ascii_strtod (text_v, &end);
          if (end == text_v || *end != '\0' || !isfinite (r->v[s]) || r->v[s] < 0)
            {
              g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES,
                           "%s:%u, column %s: “%s” must be a number ≥ 0", label, i + 1,
                           columns[4 + s], text_v);
              return NULL;
            }
        }
      /* Divisors must not be zero. */
      if ((r->param == ZONES_PARAM_PLOT_HA_PER_TEAM || r->param == ZONES_PARAM_ORE_T_PER_MINER_DAY ||
           r->param == ZONES_PARAM_WORKING_DAYS_PER_YEAR ||
           r->param == ZONES_PARAM_PLANNING_HORIZON_YEARS) &&
          (r->v[0] == 0 || r->v[1] == 0 || r->v[2] == 0))
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES,
                       "%s:%u: %s must be greater than 0", label, i + 1,
                       params[r->param].name);
          return NULL;
        }
      r->provenance = g_strdup (g_ptr_array_index (cols, 7));
      if (*r->provenance == '\0')
        {
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES,
                       "%s:%u, column provenance: every value needs its source (or “assumption”)",
                       label, i + 1);
          return NULL;
        }
    }
  if (!header)
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES, "%s: empty parameter table", label);
      return NULL;
    }
  return g_steal_pointer (&t);
}

ZonesParamTable *
zones_param_table_new_from_file (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len;

  g_return_val_if_fail (path != NULL, NULL);
  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  if (memchr (text, '\0', len) != NULL)
    {
      g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES, "%s: not a text file", path);
      return NULL;
    }
  return zones_param_table_new_from_data (text, path, error);
}

/**
 * zones_param_table_new_default:
 *
 * Returns: (transfer full): Placer's default table (data/capacity/defaults.csv)
 */
ZonesParamTable *
zones_param_table_new_default (GError **error)
{
  g_autofree char *path = g_build_filename (zones_data_dir (), "capacity", "defaults.csv", NULL);
  return zones_param_table_new_from_file (path, error);
}

static int
specificity (const Row *r, const char *commodity, const char *deposit_type, const char *method)
{
  const char *keys[3] = { commodity, deposit_type, method };
  const char *have[3] = { r->commodity, r->deposit_type, r->method };
  int score = 0;

  for (int i = 0; i < 3; i++)
    {
      if (g_str_equal (have[i], "*"))
        continue;
      if (g_strcmp0 (have[i], keys[i]) != 0)
        return -1;
      score += 1 << (2 - i);
    }
  return score;
}

/**
 * zones_param_table_lookup:
 * @commodity: (nullable): e.g. "gold"
 * @deposit_type: (nullable): alluvial, eluvial or hard_rock
 * @method: (nullable): e.g. "artisanal"
 * @out: (out caller-allocates): every parameter, each from the most specific matching row
 *
 * Returns: %TRUE if every parameter has a row
 */
gboolean
zones_param_table_lookup (ZonesParamTable *t, const char *commodity, const char *deposit_type,
                          const char *method, ZonesParamSet *out, GError **error)
{
  g_return_val_if_fail (t != NULL && out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  for (int i = 0; i < ZONES_N_PARAMS; i++)
    {
      const Row *best = NULL;
      int best_score = -1;
      for (guint k = 0; k < t->rows->len; k++)
        {
          const Row *r = g_ptr_array_index (t->rows, k);
          int s;
          if (r->param != i)
            continue;
          s = specificity (r, commodity, deposit_type, method);
          if (s > best_score)
            {
              best = r;
              best_score = s;
            }
        }
      if (best == NULL)
        {
          zones_param_set_clear (out);
          g_set_error (error, ZONES_ERROR, ZONES_ERROR_RULES,
                       "%s: no value of %s for %s, %s, %s", t->source, params[i].name,
                       commodity ? commodity : "*", deposit_type ? deposit_type : "*",
                       method ? method : "*");
          return FALSE;
        }
      memcpy (out->values[i], best->v, sizeof best->v);
      out->provenance[i] = g_strdup_printf ("%s (%s:%u)", best->provenance, t->source, best->line);
    }
  return TRUE;
}
