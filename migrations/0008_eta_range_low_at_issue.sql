-- The wait range's low edge given at issue (issue #17 item 3): the citizen's screen shows "low–high min",
-- and the estimate's accuracy counts a wait inside that range. Older rows have none and read as eta–high.
ALTER TABLE "tickets" ADD COLUMN "eta_low_at_issue_min" integer;
