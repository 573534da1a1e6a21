-- Written by hand (issue 17, SPEC rule 1): a session belongs to the episode whose span
-- [opened_at, closed_at) contains its clinical time, however late it was entered: its start, or
-- when it was cancelled if that was before its start (a late cancel made before a closing is a
-- strike of the closed episode). Until now a new session
-- was filed in the client's open episode, so one back-entered after a reopening but dated before
-- it was filed (and counted) in the new episode. This re-files every session whose link differs:
-- into the episode of its start, or into none when it starts before the client's first episode or
-- between a closing and the next opening. Only rows that change are written.
WITH "filed" AS (
  SELECT "a"."id", (
    SELECT "e"."id" FROM "episodes" AS "e"
    WHERE "e"."client_id" = "a"."client_id" AND "e"."opened_at" <= (CASE WHEN "a"."status" = 'CANCELED' AND "a"."canceled_at" < "a"."starts_at" THEN "a"."canceled_at" ELSE "a"."starts_at" END)
      AND ("e"."closed_at" IS NULL OR "e"."closed_at" > (CASE WHEN "a"."status" = 'CANCELED' AND "a"."canceled_at" < "a"."starts_at" THEN "a"."canceled_at" ELSE "a"."starts_at" END))
    ORDER BY "e"."opened_at" DESC LIMIT 1
  ) AS "episode_id"
  FROM "appointments" AS "a"
)
UPDATE "appointments" SET "episode_id" = "filed"."episode_id"
FROM "filed"
WHERE "filed"."id" = "appointments"."id" AND "appointments"."episode_id" IS DISTINCT FROM "filed"."episode_id";
