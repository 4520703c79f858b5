"""URLs of the site."""

from django.contrib import admin
from django.urls import include, path

from . import alert_views, glossary_views, trial_views, views

handler404 = trial_views.not_found

urlpatterns = [
    path("", views.search, name="search"),
    path("conditions/suggest/", views.condition_suggestions, name="condition_suggestions"),
    path("trials/<str:nct_id>/", trial_views.trial_detail, name="trial_detail"),
    path("trials/<str:nct_id>/checklist/", trial_views.trial_checklist, name="trial_checklist"),
    path("trials/<str:nct_id>/contact/", trial_views.contact_study_team, name="contact_study_team"),
    path("trials/<str:nct_id>/contact/check/", trial_views.contact_check, name="contact_check"),
    path("trials/<str:nct_id>/contact/sent/", trial_views.contact_done, name="contact_done"),
    path("about-clinical-trials/", views.faq, name="faq"),
    path("glossary/", glossary_views.glossary_page, name="glossary"),
    path("alerts/new/", alert_views.alert_signup, name="alert_signup"),
    path("alerts/sent/", alert_views.alert_sent, name="alert_sent"),
    path("alerts/confirm/<str:token>/", alert_views.alert_confirm, name="alert_confirm"),
    path("alerts/manage/<str:token>/", alert_views.alert_manage, name="alert_manage"),
    path(
        "alerts/manage/<str:token>/alert/<int:alert_id>/",
        alert_views.alert_trials,
        name="alert_trials",
    ),
    path(
        "alerts/unsubscribe/<str:token>/", alert_views.alert_unsubscribe, name="alert_unsubscribe"
    ),
    path("feed/", alert_views.feed, name="feed"),
    path("api/trials/", views.search_api, name="api_search"),
    path("api/trials/<str:nct_id>/", trial_views.trial_api, name="api_trial"),
    path("api/conditions/", views.condition_suggestions, name="api_conditions"),
    path("", include("finder.my_trials_urls")),
    path("api/v2/", include("finder.api_v2.urls")),
    path("admin/", admin.site.urls),
]
