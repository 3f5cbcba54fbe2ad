/* TZif reading (RFC 8536) into a sorted transition table, extended from the
 * file's POSIX TZ footer up to TZIF_RULES_UNTIL_YEAR.
 *
 * Why our own reader and not setenv("TZ")/tzset or libical: TZ switching
 * changes process-global state and races between threads; libical 3.0's
 * icaltimezone expands its change list lazily inside shared zone objects
 * (mutable state behind a global lock) and converts through broken-down
 * structs, which is slow for a clock computed a million times a second. A
 * TZif file is a sorted transition table: read once, it is immutable, and
 * every conversion is a binary search over read-only memory. */
#include "inventory/tzif.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/xalloc.h"
#include "inventory/civil_date.h"

#define SECS_PER_DAY  INT64_C(86400)
#define ZONE_FILE_MAX (1024 * 1024)

/* Offset before the first transition, then transition i takes effect at
 * at[i] (ascending) with offset off[i]. */
struct tzif {
    int32_t off_initial;
    size_t n_trans;
    int64_t *at;
    int32_t *off;
};

/* One rule of a POSIX TZ string: Mm.w.d, Jn or n, and a local time. */
struct tz_rule {
    char kind; /* 'M', 'J' or 'D' (zero-based day of year) */
    int month, week, wday, yday;
    int32_t time; /* seconds after local midnight, may be negative or > 24 h */
};

static int64_t
get_be(const unsigned char *p, int width)
{
    uint64_t v = 0;

    for (int i = 0; i < width; i++)
        v = (v << 8) | p[i];
    if (width == 4)
        return (int64_t)(int32_t)(uint32_t)v;
    return (int64_t)v;
}

/* IANA names are relative paths of letters, digits and "/_+-."; refusing
 * ".." and a leading "/" keeps the lookup inside the zoneinfo directory. */
static bool
zone_name_ok(const char *name)
{
    size_t len = name != NULL ? strlen(name) : 0;

    if (len == 0 || len > 128 || name[0] == '/' || name[0] == '.' || strstr(name, "..") != NULL)
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = name[i];
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                  (ch >= '0' && ch <= '9') || strchr("/_+-.", ch) != NULL;
        if (!ok)
            return false;
    }
    return true;
}

static enum tzif_status
read_zone_file(const char *dir, const char *name, unsigned char **buf, size_t *len)
{
    enum tzif_status st = TZIF_OK;
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "rb");

    *buf = NULL;
    *len = 0;
    if (f == NULL) {
        log_debug("could not open time zone file \"%s\": %s", path, strerror(errno));
        st = TZIF_NOT_FOUND;
        goto out;
    }
    *buf = xmalloc(ZONE_FILE_MAX);
    *len = fread(*buf, 1, ZONE_FILE_MAX, f);
    if (ferror(f) || *len == ZONE_FILE_MAX)
        st = TZIF_BAD_FILE;
out:
    if (f != NULL)
        fclose(f);
    free(path);
    return st;
}

/* POSIX TZ parsing: the footer of a TZif v2+ file, e.g. "CET-1CEST,M3.5.0,M10.5.0/3". */
static bool
tz_parse_name(const char **s)
{
    const char *p = *s;

    if (*p == '<') {
        while (*p != '\0' && *p != '>')
            p++;
        if (*p != '>')
            return false;
        *s = p + 1;
        return true;
    }
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
        p++;
    if (p - *s < 3)
        return false;
    *s = p;
    return true;
}

static bool
tz_parse_number(const char **s, int max, int *out)
{
    int v = 0, digits = 0;

    while (**s >= '0' && **s <= '9' && digits < 4) {
        v = v * 10 + (**s - '0');
        (*s)++;
        digits++;
    }
    if (digits == 0 || v > max)
        return false;
    *out = v;
    return true;
}

/* [+-]hh[:mm[:ss]] in seconds. */
static bool
tz_parse_hms(const char **s, int32_t *out)
{
    int sign = 1, h = 0, m = 0, sec = 0;

    if (**s == '+' || **s == '-') {
        sign = **s == '-' ? -1 : 1;
        (*s)++;
    }
    if (!tz_parse_number(s, 167, &h))
        return false;
    if (**s == ':') {
        (*s)++;
        if (!tz_parse_number(s, 59, &m))
            return false;
        if (**s == ':') {
            (*s)++;
            if (!tz_parse_number(s, 59, &sec))
                return false;
        }
    }
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
}

static bool
tz_parse_rule(const char **s, struct tz_rule *r)
{
    bool ok;

    memset(r, 0, sizeof(*r));
    r->time = 2 * 3600;
    if (**s == 'M') {
        (*s)++;
        r->kind = 'M';
        ok = tz_parse_number(s, 12, &r->month) && r->month >= 1 && *(*s)++ == '.' &&
             tz_parse_number(s, 5, &r->week) && r->week >= 1 && *(*s)++ == '.' &&
             tz_parse_number(s, 6, &r->wday);
    } else if (**s == 'J') {
        (*s)++;
        r->kind = 'J';
        ok = tz_parse_number(s, 365, &r->yday) && r->yday >= 1;
    } else {
        r->kind = 'D';
        ok = tz_parse_number(s, 365, &r->yday);
    }
    if (ok && **s == '/') {
        (*s)++;
        ok = tz_parse_hms(s, &r->time);
    }
    return ok;
}

/* Local day number a rule falls on in a year. */
static int64_t
tz_rule_day(const struct tz_rule *r, int year)
{
    int64_t jan1 = civil_date_to_days((struct civil_date){year, 1, 1});

    if (r->kind == 'J') /* 1..365, 29 February never counted */
        return jan1 + r->yday - 1 + (civil_date_is_leap_year(year) && r->yday >= 60);
    if (r->kind == 'D')
        return jan1 + r->yday;
    struct civil_date first = {year, r->month, 1};
    int wd0 = civil_date_weekday(first) % 7; /* 0 = Sunday, as in POSIX */
    int day = 1 + (r->wday - wd0 + 7) % 7 + 7 * (r->week - 1);
    int dim = civil_date_days_in_month(year, r->month);

    while (day > dim)
        day -= 7;
    return civil_date_to_days(first) + day - 1;
}

struct tz_footer {
    int32_t std_off, dst_off; /* seconds east of UTC */
    bool has_rules;
    struct tz_rule start, end;
};

static bool
tz_parse_footer(const char *s, struct tz_footer *f)
{
    int32_t v;

    memset(f, 0, sizeof(*f));
    if (!tz_parse_name(&s) || !tz_parse_hms(&s, &v))
        return false;
    f->std_off = -v; /* POSIX offsets count west of Greenwich */
    f->dst_off = f->std_off;
    if (*s == '\0')
        return true;
    if (!tz_parse_name(&s))
        return false;
    f->dst_off = f->std_off + 3600;
    if (*s != ',' && *s != '\0') {
        if (!tz_parse_hms(&s, &v))
            return false;
        f->dst_off = -v;
    }
    if (*s == '\0')
        return true; /* DST without rules: keep the table's last offset */
    if (*s++ != ',' || !tz_parse_rule(&s, &f->start) || *s++ != ',' || !tz_parse_rule(&s, &f->end))
        return false;
    f->has_rules = *s == '\0';
    return f->has_rules;
}

static void
push_transition(struct tzif *tz, size_t *cap, int64_t at, int32_t off)
{
    if (tz->n_trans == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        tz->at = xreallocarray(tz->at, *cap, sizeof(*tz->at));
        tz->off = xreallocarray(tz->off, *cap, sizeof(*tz->off));
    }
    tz->at[tz->n_trans] = at;
    tz->off[tz->n_trans] = off;
    tz->n_trans++;
}

/* Appends the footer rule's transitions after the table's last one. */
static void
extend_with_footer(struct tzif *tz, size_t *cap, const struct tz_footer *f)
{
    int64_t last = tz->n_trans ? tz->at[tz->n_trans - 1] : INT64_MIN;
    int first_year = tz->n_trans ? civil_date_from_days(last / SECS_PER_DAY).year : 1970;

    if (!f->has_rules || f->std_off == f->dst_off)
        return;
    for (int y = first_year; y < TZIF_RULES_UNTIL_YEAR; y++) {
        /* Start is given in standard local time, end in daylight time. */
        int64_t s = tz_rule_day(&f->start, y) * SECS_PER_DAY + f->start.time - f->std_off;
        int64_t e = tz_rule_day(&f->end, y) * SECS_PER_DAY + f->end.time - f->dst_off;
        int64_t t1 = s < e ? s : e, t2 = s < e ? e : s;
        int32_t o1 = s < e ? f->dst_off : f->std_off, o2 = s < e ? f->std_off : f->dst_off;

        if (t1 > last)
            push_transition(tz, cap, t1, o1);
        if (t2 > last)
            push_transition(tz, cap, t2, o2);
    }
}

/* Reads a TZif v1..v4 image (RFC 8536) into cal's transition table. */
static enum tzif_status
parse_into(struct tzif *tz, const unsigned char *buf, size_t len)
{
    size_t p = 0, cap = 0, v1_size, time_size = 4;
    int64_t cnt[6]; /* isut, isstd, leap, time, type, char */
    struct tz_footer footer;
    const unsigned char *times, *idx, *types;

    if (len < 44 || memcmp(buf, "TZif", 4) != 0)
        return TZIF_BAD_FILE;
    for (int i = 0; i < 6; i++)
        cnt[i] = get_be(buf + 20 + 4 * i, 4);
    for (int i = 0; i < 6; i++)
        if (cnt[i] < 0 || cnt[i] > 100000)
            return TZIF_BAD_FILE;
    v1_size = 44 + cnt[3] * 5 + cnt[4] * 6 + cnt[5] + cnt[2] * 8 + cnt[1] + cnt[0];
    if (buf[4] >= '2') {
        /* Skip the 32-bit block; the 64-bit one follows with its own header. */
        p = v1_size;
        if (len < p + 44 || memcmp(buf + p, "TZif", 4) != 0)
            return TZIF_BAD_FILE;
        for (int i = 0; i < 6; i++)
            cnt[i] = get_be(buf + p + 20 + 4 * i, 4);
        for (int i = 0; i < 6; i++)
            if (cnt[i] < 0 || cnt[i] > 100000)
                return TZIF_BAD_FILE;
        time_size = 8;
    }
    size_t data_end = p + 44 + cnt[3] * (time_size + 1) + cnt[4] * 6 + cnt[5] +
                      cnt[2] * (time_size + 4) + cnt[1] + cnt[0];
    if (cnt[4] < 1 || data_end > len)
        return TZIF_BAD_FILE;
    /* Only now, with the sizes checked, point into the buffer. */
    times = buf + p + 44;
    idx = times + cnt[3] * time_size;
    types = idx + cnt[3];
    tz->off_initial = (int32_t)get_be(types, 4);
    for (int64_t i = 0; i < cnt[3]; i++) {
        int type = idx[i];
        if (type >= cnt[4])
            return TZIF_BAD_FILE;
        push_transition(tz, &cap, get_be(times + i * time_size, (int)time_size),
                        (int32_t)get_be(types + 6 * type, 4));
    }
    if (time_size == 8 && data_end < len && buf[data_end] == '\n') {
        const char *start = (const char *)buf + data_end + 1;
        const char *nl = memchr(start, '\n', len - data_end - 1);
        if (nl != NULL && nl - start < 128) {
            char footer_text[128];
            memcpy(footer_text, start, (size_t)(nl - start));
            footer_text[nl - start] = '\0';
            if (footer_text[0] != '\0' && tz_parse_footer(footer_text, &footer))
                extend_with_footer(tz, &cap, &footer);
        }
    }
    return TZIF_OK;
}

/* Number of transitions at or before t: the one before that index is in force. */
static size_t
transitions_upto(const struct tzif *tz, int64_t t)
{
    size_t lo = 0, hi = tz->n_trans;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tz->at[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int
offset_in_force(const struct tzif *tz, size_t upto)
{
    return upto == 0 ? tz->off_initial : tz->off[upto - 1];
}

int
tzif_utc_offset(const struct tzif *tz, int64_t t)
{
    return offset_in_force(tz, transitions_upto(tz, t));
}

int64_t
tzif_from_local(const struct tzif *tz, int64_t local)
{
    /* Offsets a day either side; zone transitions are weeks apart. */
    size_t i = transitions_upto(tz, local - SECS_PER_DAY);
    int before = offset_in_force(tz, i), after;
    bool before_ok, after_ok;

    /* The usual case: no transition within a day of the wall time. */
    if (i == tz->n_trans || tz->at[i] > local + SECS_PER_DAY)
        return local - before;
    after = tzif_utc_offset(tz, local + SECS_PER_DAY);
    if (before == after)
        return local - before;
    before_ok = tzif_utc_offset(tz, local - before) == before;
    after_ok = tzif_utc_offset(tz, local - after) == after;
    if (before_ok && after_ok) /* repeated hour: the first occurrence */
        return local - before < local - after ? local - before : local - after;
    if (after_ok)
        return local - after;
    /* Valid under the old offset, or skipped: with the old offset a skipped
     * time lands after the jump, shifted forward by its length. */
    return local - before;
}

enum tzif_status
tzif_parse(const unsigned char *buf, size_t len, struct tzif **out)
{
    struct tzif *tz = xcalloc(1, sizeof(*tz));
    enum tzif_status st = parse_into(tz, buf, len);

    *out = NULL;
    if (st != TZIF_OK) {
        tzif_free(tz);
        return st;
    }
    *out = tz;
    return TZIF_OK;
}

enum tzif_status
tzif_load(const char *dir, const char *name, struct tzif **out)
{
    enum tzif_status st;
    unsigned char *buf = NULL;
    size_t len = 0;

    *out = NULL;
    if (dir == NULL || !zone_name_ok(name)) {
        st = TZIF_BAD_NAME;
        goto out;
    }
    st = read_zone_file(dir, name, &buf, &len);
    if (st != TZIF_OK)
        goto out;
    st = tzif_parse(buf, len, out);
out:
    free(buf);
    return st;
}

void
tzif_free(struct tzif *tz)
{
    if (tz == NULL)
        return;
    free(tz->at);
    free(tz->off);
    free(tz);
}
