"""TrialFinder's copy of ClinicalTrials.gov's API v2, under /api/v2/ (docs/api.md).

`views` the endpoints; `params` checks a request's parameters and makes the
StudyQuery; `essie` parses Essie expressions; `projection` applies `fields`; `csv`
writes format=csv; `tokens` signs page tokens; `limits` the per-client rate limit.
The queries themselves are answered by trials.studies.
"""
