"""RSS and Atom feeds of new public policy documents (``django.contrib.syndication``): all of
them, or those of one topic (主题分类, first- or second-level code)."""

from __future__ import annotations

import re
from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.translation import gettext as _

from .models import PolicyDocument, Topic
from .selectors.documents import recent_documents, topic_get, topic_label

FEED_SIZE = 30
SUMMARY_CHARS = 200
# characters XML 1.0 cannot hold: Django's feed writer raises on them (a 500 for every reader)
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    """``text`` without the control characters an imported file may have brought along."""
    return _NOT_XML.sub("", text)


def _published(document: PolicyDocument) -> datetime:
    return timezone.make_aware(datetime.combine(document.published_on, time(9, 0)))


class LatestDocumentsRss(Feed):
    """The newest public documents of the whole library."""

    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def title(self) -> str:
        return _("New policy documents")

    def description(self) -> str:
        return _("The newest public documents of the policy library.")

    def link(self) -> str:
        return reverse("policy:index")

    def items(self) -> list[PolicyDocument]:
        return recent_documents(limit=FEED_SIZE)

    def item_title(self, item: PolicyDocument) -> str:
        return _xml(item.title)

    def item_description(self, item: PolicyDocument) -> str:
        number = f"{item.doc_number} · " if item.doc_number else ""
        body = " ".join(item.body.split())
        text = body[:SUMMARY_CHARS] + ("…" if len(body) > SUMMARY_CHARS else "")
        return _xml(f"{item.publisher.name} · {number}{item.published_on:%Y-%m-%d}\n{text}")

    def item_link(self, item: PolicyDocument) -> str:
        return reverse("policy:document", args=[item.pk])

    def item_guid(self, item: PolicyDocument) -> str:
        return f"urn:shuzhi:policy:{item.index_number}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: PolicyDocument) -> datetime:
        return _published(item)

    def item_updateddate(self, item: PolicyDocument) -> datetime:
        return item.updated_at

    def item_author_name(self, item: PolicyDocument) -> str:
        return _xml(item.publisher.name)

    def item_categories(self, item: PolicyDocument) -> list[str]:
        return [_xml(item.topic.name)]


class LatestDocumentsAtom(LatestDocumentsRss):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return self.description()


class TopicDocumentsRss(LatestDocumentsRss):
    """The newest public documents of one topic; an unknown topic code is a 404."""

    def get_object(self, request: HttpRequest, code: str) -> Topic:
        topic = topic_get(code)
        if topic is None:
            raise Http404
        return topic

    def title(self, obj: Topic | None = None) -> str:
        if obj is None:
            return super().title()
        return _("New policy documents: %(topic)s") % {"topic": topic_label(obj)}

    def description(self, obj: Topic | None = None) -> str:
        if obj is None:
            return super().description()
        return _("The newest public documents on %(topic)s.") % {"topic": topic_label(obj)}

    def link(self, obj: Topic | None = None) -> str:
        base = reverse("policy:index")
        return f"{base}?topic={obj.code}" if obj is not None else base

    def items(self, obj: Topic | None = None) -> list[PolicyDocument]:
        return recent_documents(topic=obj, limit=FEED_SIZE)


class TopicDocumentsAtom(TopicDocumentsRss):
    feed_type = Atom1Feed

    def subtitle(self, obj: Topic | None = None) -> str:
        return self.description(obj)
