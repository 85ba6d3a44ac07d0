"""The baselines in plain SQL (psycopg2, no ORM), from the base tables.

Each sign's status at a date, as docs/definitions.md defines it, is computed once in one pass:
a removal in effect is a join to the distinct signs with such a removal, a duplicate is a sign
whose row_number() among the signs of its village and approved item is above 1.
"""

from __future__ import annotations

import datetime as dt

# Signs inventoried by the date, each with `removed` (a removal in effect) and `rn` (its rank
# among the signs of its village holding the same approved item: > 1 is a duplicate).
SIGN_STATUS = """
    in_effect AS (
        SELECT DISTINCT signboard_id FROM signs_removal
        WHERE removed_on <= %(as_of)s
          AND (revoked_at IS NULL OR revoked_at >= %(end_of_day)s)
    ),
    s AS (
        SELECT sb.id, sb.village_id, sb.kind, sb.approved_item_id,
               e.signboard_id IS NOT NULL AS removed,
               row_number() OVER (PARTITION BY sb.village_id, sb.approved_item_id
                                  ORDER BY sb.inventoried_on, sb.id) AS rn
        FROM signs_signboard sb
        LEFT JOIN in_effect e ON e.signboard_id = sb.id
        WHERE sb.inventoried_on <= %(as_of)s
    )
"""
STILL_UP = "NOT removed AND (approved_item_id IS NULL OR rn > 1)"
RETAINED = "NOT removed AND approved_item_id IS NOT NULL AND rn = 1"

# One row per township in code order, then the city's (town_id NULL), as town_progress counts.
TOWN_FIGURES = f"""
WITH {SIGN_STATUS},
per_village AS (
    SELECT village_id,
           count(*) FILTER (WHERE NOT removed) AS on_wall,
           count(*) FILTER (WHERE {RETAINED}) AS retained,
           count(*) FILTER (WHERE {STILL_UP}) AS still_to_remove,
           count(*) FILTER (WHERE removed) AS removed,
           count(*) FILTER (WHERE removed AND kind = 'rule') AS removed_rule
    FROM s GROUP BY village_id
)
SELECT t.id, t.code,
       count(v.id) AS villages,
       count(v.id) FILTER (WHERE coalesce(pv.still_to_remove, 0) = 0) AS villages_meeting,
       coalesce(sum(pv.on_wall), 0)::bigint AS on_wall,
       coalesce(sum(pv.retained), 0)::bigint AS retained,
       coalesce(sum(pv.still_to_remove), 0)::bigint AS still_to_remove,
       coalesce(sum(pv.removed), 0)::bigint AS removed,
       coalesce(sum(pv.removed_rule), 0)::bigint AS removed_rule
FROM villages_town t
LEFT JOIN villages_village v ON v.town_id = t.id
LEFT JOIN per_village pv ON pv.village_id = v.id
GROUP BY ROLLUP ((t.id, t.code))
ORDER BY t.code NULLS LAST
"""
FIGURES = (
    "villages",
    "villages_meeting",
    "on_wall",
    "retained",
    "still_to_remove",
    "removed",
    "removed_rule",
)


def params(as_of: dt.date) -> dict:
    """The date and the end of its local day (Asia/Shanghai), as selectors.end_of_day."""
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)
    return {"as_of": as_of, "end_of_day": end}


class _Shanghai(dt.tzinfo):
    """UTC+8 all year (China has had no daylight saving since 1991); avoids a zoneinfo lookup."""

    def utcoffset(self, _when):
        return dt.timedelta(hours=8)

    def dst(self, _when):
        return dt.timedelta(0)

    def tzname(self, _when):
        return "CST"


SHANGHAI = _Shanghai()


def town_figures(conn, as_of: dt.date) -> dict:
    """{town code or None (the city): {figure: n}} in one query."""
    with conn.cursor() as cur:
        cur.execute(TOWN_FIGURES, params(as_of))
        return {code: dict(zip(FIGURES, rest, strict=True)) for _id, code, *rest in cur}


# --- the 台账's rows, for the bare-openpyxl baseline --------------------------------------

SUMMARY_ROWS = f"""
WITH {SIGN_STATUS},
per_village AS (
    SELECT village_id,
           count(*) FILTER (WHERE {STILL_UP}) AS still_to_remove,
           count(*) FILTER (WHERE removed) AS removed,
           count(*) FILTER (WHERE removed AND kind = 'rule') AS removed_rule
    FROM s GROUP BY village_id
),
last AS (
    SELECT v.town_id, max(r.removed_on) AS last_removed_on
    FROM signs_removal r JOIN signs_signboard sb ON sb.id = r.signboard_id
    JOIN villages_village v ON v.id = sb.village_id
    WHERE r.removed_on <= %(as_of)s AND (r.revoked_at IS NULL OR r.revoked_at >= %(end_of_day)s)
    GROUP BY v.town_id
),
-- The supervision's columns: each removal in effect with its verdict as it stood at the date.
verdicts AS (
    SELECT sb.village_id,
           coalesce(rr.status = 'verified' AND rr.reviewed_at < %(end_of_day)s, false) AS ok,
           coalesce(rr.status = 'returned' AND rr.reviewed_at < %(end_of_day)s, false) AS back
    FROM signs_removal r
    JOIN signs_signboard sb ON sb.id = r.signboard_id
    LEFT JOIN supervision_removalreview rr ON rr.removal_id = r.id
    WHERE r.removed_on <= %(as_of)s AND (r.revoked_at IS NULL OR r.revoked_at >= %(end_of_day)s)
),
per_village_review AS (
    SELECT village_id, count(*) FILTER (WHERE ok) AS verified,
           count(*) FILTER (WHERE back) AS returned, bool_and(ok) AS all_verified
    FROM verdicts GROUP BY village_id
)
SELECT t.name, count(v.id),
       count(v.id) FILTER (WHERE coalesce(pv.still_to_remove, 0) = 0),
       coalesce(sum(pv.removed_rule), 0), coalesce(sum(pv.removed - pv.removed_rule), 0),
       coalesce(sum(pv.removed), 0), coalesce(sum(pv.still_to_remove), 0),
       max(last.last_removed_on),
       coalesce(sum(pr.verified), 0), coalesce(sum(pr.returned), 0),
       count(v.id) FILTER (WHERE coalesce(pv.still_to_remove, 0) = 0
                           AND coalesce(pr.all_verified, true))
FROM villages_town t
LEFT JOIN villages_village v ON v.town_id = t.id
LEFT JOIN per_village pv ON pv.village_id = v.id
LEFT JOIN per_village_review pr ON pr.village_id = v.id
LEFT JOIN last ON last.town_id = t.id
GROUP BY t.id, t.code, t.name
ORDER BY t.code
"""

VILLAGE_ROWS = f"""
WITH {SIGN_STATUS}
SELECT t.id, t.name, v.name, v.kind,
       count(s.id) FILTER (WHERE {RETAINED}
                           AND ai.kind = 'rule'),
       count(s.id) FILTER (WHERE {RETAINED}
                           AND ai.kind = 'plaque'),
       count(s.id) FILTER (WHERE {STILL_UP}),
       count(s.id) FILTER (WHERE removed AND s.kind = 'rule'),
       count(s.id) FILTER (WHERE removed AND s.kind <> 'rule'),
       d.investment
FROM villages_village v
JOIN villages_town t ON t.id = v.town_id
LEFT JOIN s ON s.village_id = v.id
LEFT JOIN signs_approveditem ai ON ai.id = s.approved_item_id
LEFT JOIN villages_demonstrationsite d ON d.village_id = v.id
GROUP BY t.id, t.code, t.name, v.id, v.code, v.name, v.kind, d.investment
ORDER BY t.code, v.code
"""

REMOVAL_ROWS = """
SELECT t.name, v.name, sb.title, sb.kind, nullif(sb.location, ''), r.reason, r.removed_on,
       coalesce(nullif(u.first_name, ''), u.username), nullif(r.photo, ''), nullif(r.note, ''),
       CASE WHEN rr.reviewed_at < %(end_of_day)s AND rr.status IN ('verified', 'returned')
            THEN rr.status ELSE 'pending' END
FROM signs_removal r
JOIN signs_signboard sb ON sb.id = r.signboard_id
JOIN villages_village v ON v.id = sb.village_id
JOIN villages_town t ON t.id = v.town_id
LEFT JOIN auth_user u ON u.id = r.recorded_by_id
LEFT JOIN supervision_removalreview rr ON rr.removal_id = r.id
WHERE r.removed_on <= %(as_of)s AND (r.revoked_at IS NULL OR r.revoked_at >= %(end_of_day)s)
ORDER BY t.code, v.code, r.removed_on, r.id
"""

SIGN_ROWS = f"""
WITH {SIGN_STATUS},
latest AS (
    SELECT DISTINCT ON (signboard_id) signboard_id, removed_on, reason, photo, note
    FROM signs_removal
    WHERE removed_on <= %(as_of)s AND (revoked_at IS NULL OR revoked_at >= %(end_of_day)s)
    ORDER BY signboard_id, removed_on DESC, id DESC
)
SELECT t.id, t.name, v.name, sb.title, sb.kind, sb.location,
       CASE WHEN s.removed THEN 'removed'
            WHEN s.approved_item_id IS NULL THEN 'to_remove'
            WHEN s.rn > 1 THEN 'duplicate' ELSE 'retained' END,
       ai.title, l.removed_on, l.reason, nullif(l.photo, ''), nullif(l.note, ''), d.name
FROM s
JOIN signs_signboard sb ON sb.id = s.id
JOIN villages_village v ON v.id = s.village_id
JOIN villages_town t ON t.id = v.town_id
LEFT JOIN signs_approveditem ai ON ai.id = s.approved_item_id
LEFT JOIN latest l ON l.signboard_id = s.id
LEFT JOIN signs_department d ON d.id = sb.requested_by_id
ORDER BY t.code, v.code, sb.location, sb.id
"""

# 按部门: per department (then 未注明), the current standard's items it owns, its signs removed,
# their rebounds and the villages concerned (docs/definitions.md), through the signs.
DEPARTMENT_ROWS = """
WITH f AS (
    SELECT sb.requested_by_id AS department_id, sb.village_id, r.signboard_id, 1 AS removal
    FROM signs_removal r JOIN signs_signboard sb ON sb.id = r.signboard_id
    WHERE r.removed_on <= %(as_of)s AND (r.revoked_at IS NULL OR r.revoked_at >= %(end_of_day)s)
    UNION ALL
    SELECT sb.requested_by_id, sb.village_id, b.signboard_id, 0
    FROM supervision_rebound b JOIN signs_signboard sb ON sb.id = b.signboard_id
    WHERE b.found_on <= %(as_of)s
), figures AS (
    SELECT department_id, count(DISTINCT signboard_id) FILTER (WHERE removal = 1) AS removed,
           count(*) FILTER (WHERE removal = 0) AS rebounds, count(DISTINCT village_id) AS villages
    FROM f GROUP BY department_id
), items AS (
    SELECT ai.department_id, count(*) AS n, string_agg(ai.title, '、' ORDER BY ai.number) AS titles
    FROM signs_approveditem ai JOIN signs_standard st ON st.id = ai.standard_id
    WHERE st.is_current GROUP BY ai.department_id
)
SELECT coalesce(d.name, '未注明'), coalesce(i.n, 0), i.titles, coalesce(fg.removed, 0),
       coalesce(fg.rebounds, 0), coalesce(fg.villages, 0)
FROM (SELECT id, name, "order" FROM signs_department UNION ALL SELECT NULL, NULL, NULL) d
LEFT JOIN figures fg ON fg.department_id IS NOT DISTINCT FROM d.id
LEFT JOIN items i ON i.department_id IS NOT DISTINCT FROM d.id
ORDER BY d.id IS NULL, d."order", d.name
"""

STANDARD_ROWS = """
SELECT ai.kind, ai.number, ai.title
FROM signs_approveditem ai JOIN signs_standard st ON st.id = ai.standard_id
WHERE st.is_current
ORDER BY CASE ai.kind WHEN 'rule' THEN 0 WHEN 'plaque' THEN 1 ELSE 2 END, ai.number
"""
