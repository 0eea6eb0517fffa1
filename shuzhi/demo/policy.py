"""Demo policy library (政策文件库): publishers, the seed document and generated documents.

``load_policy`` makes, through the library's services as publishers would:

* the fourteen publishers (发布机构) of ``policy_corpus.PUBLISHERS`` with their organisation codes,
  each published for by its department (city bureaus, the city government and its office, the
  tax service, two county governments);
* the seed document — a real notice, 衢州市人民政府关于深化数字政府建设的实施意见 — imported from
  ``settings.POLICY_SEED_FILE`` (read at run time, never copied into the repository) when the
  file exists, else skipped with a message;
* ``count`` generated documents (``policy_corpus.generate``, 300 by default) created by the data
  steward of each publisher's department: interpretations (政策解读) linked to the document they
  explain, newer versions that amend (修订) or repeal (废止) an older one through
  ``document_amend`` / ``document_repeal``, service items (政务服务事项) of the demo catalogue;
* all in one transaction, so the services' indexing after commit is one engine commit; then
  the search index is rebuilt from the database (``rebuild_index``) as a check of the whole.

Idempotent: publishers by name, documents by their 索引号 (the generator's numbers are kept), the
seed document by its source file name; a re-run creates nothing and links nothing again.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from tqdm import tqdm

from shuzhi.platform.accounts.models import Department, User

from . import people
from .policy_corpus import BY_NAME, PUBLISHERS, GeneratedDocument, generate

DEMO_DOCUMENTS = 300
SEED_TOPIC = "0102"  # 电子政务: the seed document's metadata block names no topic


def stewards() -> dict[str, User]:
    """The demo data steward of each department that has one (people.DEMO_ACCOUNTS)."""
    names = {
        account.department_code: account.username
        for account in people.DEMO_ACCOUNTS
        if account.role == "data_steward"
    }
    users = {u.username: u for u in User.objects.filter(username__in=names.values())}
    return {code: users[name] for code, name in names.items() if name in users}


def load_publishers() -> dict[str, Any]:
    """The publishers by name, created when missing (their departments must exist)."""
    from shuzhi.domains.policy.models import Publisher

    departments = {
        d.code: d for d in Department.objects.filter(code__in={p.department for p in PUBLISHERS})
    }
    found: dict[str, Any] = {}
    for spec in PUBLISHERS:
        found[spec.name], _ = Publisher.objects.get_or_create(
            name=spec.name,
            defaults={
                "name_en": spec.name_en,
                "org_code": spec.org_code,
                "department": departments[spec.department],
            },
        )
    return found


def load_seed(*, by: User | None, stdout: Any) -> bool:
    """Import the seed document once; False (with a message) when the file is absent or refused."""
    from django.core.exceptions import PermissionDenied

    from shuzhi.domains.policy.importing import DocumentFormatError
    from shuzhi.domains.policy.models import PolicyDocument, Topic
    from shuzhi.domains.policy.refusals import PolicyRefused
    from shuzhi.domains.policy.services.importing import ImportDefaults, import_document

    path = settings.POLICY_SEED_FILE
    if not path.is_file():
        stdout.write(f"  seed document {path} not found: skipped")
        return False
    if PolicyDocument.objects.filter(source=path.name).exists():
        return True
    try:
        document = import_document(
            by=by,
            name=path.name,
            data=path.read_bytes(),
            defaults=ImportDefaults(topic=Topic.objects.filter(code=SEED_TOPIC).first()),
        )
    except (PolicyRefused, DocumentFormatError, PermissionDenied) as exc:  # say why, go on
        stdout.write(f"  seed document {path.name} not imported: {exc}")
        return False
    stdout.write(f"  seed document {document.index_number} {document.title}")
    return True


def _input(g: GeneratedDocument, publishers: Mapping[str, Any], topics: Mapping[str, Any],
           made: Mapping[int, Any]) -> Any:  # fmt: skip
    from shuzhi.domains.policy.services.documents import DocumentInput

    return DocumentInput(
        title=g.title,
        publisher=publishers[g.publisher],
        written_on=g.written_on,
        published_on=g.published_on,
        topic=topics[g.topic],
        genre=g.genre,
        body=g.body,
        doc_number=g.doc_number,
        index_number=g.index_number,
        effective_from=g.effective_from,
        effective_until=g.effective_until,
        disclosure=g.disclosure,
        interprets=made.get(g.interprets) if g.interprets is not None else None,
        service_codes=g.service_codes,
    )


def load_policy(
    *,
    users: Mapping[str, User] | None = None,
    count: int = DEMO_DOCUMENTS,
    seed: int = 2022,
    stdout: Any,
    quiet: bool = True,
) -> dict[str, int]:
    """Publishers, the seed document, ``count`` generated documents, links, and the index.

    ``users``: the steward who publishes for each department code (default: the demo stewards);
    a department without one is published for by the system (``by=None``).
    Returns counts: created, linked (amend/repeal), indexed.
    """
    from shuzhi.domains.policy.models import PolicyDocument, Topic
    from shuzhi.domains.policy.services.documents import (
        document_amend,
        document_create,
        document_repeal,
    )
    from shuzhi.domains.policy.services.indexing import rebuild_index

    started = time.perf_counter()
    by_department = dict(users) if users is not None else stewards()
    publishers = load_publishers()
    topics = {t.code: t for t in Topic.objects.filter(parent__isnull=False)}
    load_seed(by=by_department.get(BY_NAME["市人民政府"].department), stdout=stdout)
    generated = list(generate(count, seed))
    existing = {
        d.index_number: d
        for d in PolicyDocument.objects.filter(index_number__in=[g.index_number for g in generated])
    }
    made: dict[int, Any] = {}
    created = linked = 0
    bar = tqdm(total=count, desc="policy documents", unit="docs", disable=quiet)
    with bar, transaction.atomic():  # one transaction: indexed in one engine commit
        for g in generated:
            by = by_department.get(BY_NAME[g.publisher].department)
            document = existing.get(g.index_number)
            if document is None:
                data = _input(g, publishers, topics, made)
                document = document_create(by=by, data=data)
                created += 1
                if g.amends in made:
                    document_amend(by=by, document=made[g.amends], amended_by=document)
                    linked += 1
                elif g.repeals in made:
                    document_repeal(by=by, document=made[g.repeals], repealed_by=document)
                    linked += 1
            made[g.key] = document
            bar.update(1)
    indexed = rebuild_index(by=None)
    stdout.write(
        f"  {PolicyDocument.objects.count()} documents ({created} new, {linked} amended or "
        f"repealed), {len(publishers)} publishers, {indexed} indexed for search "
        f"in {time.perf_counter() - started:.1f} s; see /policy/"
    )
    return {"created": created, "linked": linked, "indexed": indexed}


def load(*, stdout: Any, style: Any = None, quiet: bool = True) -> None:
    """The policy part of ``shuzhi demo`` (after the service catalogue, whose items it names)."""
    stdout.write("")
    heading = "Policy library (政策文件库)"
    stdout.write(style.SUCCESS(heading) if style is not None else heading)
    load_policy(stdout=stdout, quiet=quiet)
