"""The patient-facing site: settings, URLs, views, forms and filters."""
