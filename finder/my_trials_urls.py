"""URLs of My trials and its shared lists (included by finder.urls)."""

from django.urls import path

from . import my_trials_views, share_views

urlpatterns = [
    path("my-trials/", my_trials_views.my_trials, name="my_trials"),
    path("shared/<str:link_id>/", share_views.shared_list, name="shared_list"),
    path("api/my-trials/", my_trials_views.saved_trials_api, name="api_my_trials"),
    path("api/shares/", share_views.create_share, name="api_shares"),
    path("api/shares/unlock/", share_views.unlock_share, name="api_share_unlock"),
    path("api/shares/revoke/", share_views.revoke_share, name="api_share_revoke"),
]
