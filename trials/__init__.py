"""The domain: trials, ClinicalTrials.gov import, search and facets, admin, contact requests."""
