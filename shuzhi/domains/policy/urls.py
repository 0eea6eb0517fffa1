"""Policy-library pages under /policy/: public search and reading, feeds, the publishers' desk."""

from django.urls import path

from . import feeds, views, views_manage

app_name = "policy"

urlpatterns = [
    path("", views.index, name="index"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("topics/", views.topics, name="topics"),
    path("feeds/rss/", feeds.LatestDocumentsRss(), name="feed_rss"),
    path("feeds/atom/", feeds.LatestDocumentsAtom(), name="feed_atom"),
    path("feeds/<str:code>/rss/", feeds.TopicDocumentsRss(), name="topic_feed_rss"),
    path("feeds/<str:code>/atom/", feeds.TopicDocumentsAtom(), name="topic_feed_atom"),
    path("manage/", views_manage.manage, name="manage"),
    path("manage/import/", views_manage.manage_import, name="manage_import"),
    path("manage/documents/<int:pk>/", views_manage.manage_edit, name="manage_edit"),
]
