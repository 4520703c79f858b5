"""URLs of the API v2, mounted at /api/v2/ (the fixed paths before the study's)."""

from django.urls import path

from . import views

urlpatterns = [
    path("studies", views.studies_list, name="api_v2_studies"),
    path("studies/metadata", views.metadata, name="api_v2_metadata"),
    path("studies/search-areas", views.search_areas, name="api_v2_search_areas"),
    path("studies/enums", views.enums, name="api_v2_enums"),
    path("studies/<str:nct_id>", views.study_detail, name="api_v2_study"),
    path("stats/size", views.size_stats, name="api_v2_size"),
    path("version", views.version, name="api_v2_version"),
]
