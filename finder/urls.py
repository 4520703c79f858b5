"""URLs of the site."""

from django.contrib import admin
from django.urls import path

from . import trial_views, views

handler404 = trial_views.not_found

urlpatterns = [
    path("", views.search, name="search"),
    path("conditions/suggest/", views.condition_suggestions, name="condition_suggestions"),
    path("places/suggest/", views.place_suggestions, name="place_suggestions"),
    path("trials/<str:nct_id>/", trial_views.trial_detail, name="trial_detail"),
    path("trials/<str:nct_id>/contact/", trial_views.contact_study_team, name="contact_study_team"),
    path("trials/<str:nct_id>/contact/check/", trial_views.contact_check, name="contact_check"),
    path("trials/<str:nct_id>/contact/sent/", trial_views.contact_done, name="contact_done"),
    path("about-clinical-trials/", views.faq, name="faq"),
    path("api/trials/", views.search_api, name="api_search"),
    path("api/trials/<str:nct_id>/", trial_views.trial_api, name="api_trial"),
    path("api/conditions/", views.condition_suggestions, name="api_conditions"),
    path("admin/", admin.site.urls),
]
