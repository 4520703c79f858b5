"""Studies as ClinicalTrials.gov's API v2 describes them, over the trial store.

`model` declares the study data model once (every field's JSON path, piece name and
type, the enums and the search areas); `query` holds what an API v2 request asks for
as values (Essie expressions, filters, order, page position); `sql` answers them over
trials_trial and the original JSON it keeps.
"""
