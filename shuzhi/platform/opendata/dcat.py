"""The open catalogue as DCAT-AP 3.0.1 (Turtle, JSON-LD), built with rdflib.

Public datasets only: 无条件开放 ones with a CSV distribution (download URL), 受限开放 ones with
an access URL to their application page and restricted access rights; 禁止开放 never appears.
Departments are ``foaf:Agent`` publishers, themes ``skos:Concept`` in the platform's theme
scheme, and the CKAN Action API is the catalogue's ``dcat:DataService``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib import namespace as ns

from shuzhi.platform.catalog.models import Dataset, OpenAttribute

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
EU_ACCESS = Namespace("http://publications.europa.eu/resource/authority/access-right/")
IANA = Namespace("http://www.iana.org/assignments/media-types/")
FREQUENCIES = {
    "realtime": "UPDATE_CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "yearly": "ANNUAL",
    "irregular": "IRREG",
}


def _when(value: datetime | None) -> Literal | None:
    return Literal(value.isoformat(), datatype=ns.XSD.dateTime) if value else None


def _resource(graph: Graph, url: str) -> URIRef:
    """A URL as DCAT-AP wants it: an IRI typed ``rdfs:Resource`` (its ranges shapes check)."""
    node = URIRef(url)
    graph.add((node, ns.RDF.type, ns.RDFS.Resource))
    return node


def catalog_graph(
    datasets: Iterable[Dataset], *, base: str, city: str, modified: datetime
) -> Graph:
    """The DCAT-AP graph of ``datasets``; ``base`` is the site's absolute root (no slash)."""
    graph = Graph()
    for prefix, namespace in (
        ("dcat", ns.DCAT),
        ("dct", ns.DCTERMS),
        ("foaf", ns.FOAF),
        ("skos", ns.SKOS),
        ("vcard", VCARD),
    ):
        graph.bind(prefix, namespace)
    open_root = f"{base}/open"
    catalog = URIRef(f"{open_root}/catalog")
    graph.add((catalog, ns.RDF.type, ns.DCAT.Catalog))
    graph.add((catalog, ns.DCTERMS.title, Literal(f"{city}公共数据开放目录", lang="zh")))
    graph.add((catalog, ns.DCTERMS.title, Literal(f"{city} open data catalogue", lang="en")))
    graph.add(
        (
            catalog,
            ns.DCTERMS.description,
            Literal(f"{city}无条件开放和受限开放的公共数据。", lang="zh"),
        )
    )
    graph.add(
        (
            catalog,
            ns.DCTERMS.description,
            Literal(f"Public data of {city}, open or opened on application.", lang="en"),
        )
    )
    graph.add(
        (catalog, ns.DCTERMS.modified, Literal(modified.isoformat(), datatype=ns.XSD.dateTime))
    )
    homepage = URIRef(f"{open_root}/")
    graph.add((homepage, ns.RDF.type, ns.FOAF.Document))
    graph.add((catalog, ns.FOAF.homepage, homepage))
    publisher = URIRef(f"{open_root}/publisher")
    graph.add((publisher, ns.RDF.type, ns.FOAF.Agent))
    graph.add((publisher, ns.FOAF.name, Literal(city, lang="zh")))
    graph.add((catalog, ns.DCTERMS.publisher, publisher))
    service = URIRef(f"{base}/api/3/action/")
    graph.add((service, ns.RDF.type, ns.DCAT.DataService))
    graph.add((service, ns.DCTERMS.title, Literal("CKAN Action API", lang="en")))
    graph.add((service, ns.DCAT.endpointURL, _resource(graph, f"{base}/api/3/action/")))
    graph.add((catalog, ns.DCAT.service, service))
    scheme = URIRef(f"{open_root}/themes")
    graph.add((scheme, ns.RDF.type, ns.SKOS.ConceptScheme))
    graph.add((scheme, ns.DCTERMS.title, Literal("主题分类", lang="zh")))
    graph.add((catalog, ns.DCAT.themeTaxonomy, scheme))

    for dataset in datasets:
        node = URIRef(f"{open_root}/datasets/{dataset.code}/")
        served_by_api = dataset.open_attribute == OpenAttribute.OPEN
        graph.add((catalog, ns.DCAT.dataset, node))
        graph.add((node, ns.RDF.type, ns.DCAT.Dataset))
        graph.add((node, ns.DCTERMS.identifier, Literal(dataset.code)))
        graph.add((node, ns.DCTERMS.title, Literal(dataset.name, lang="zh")))
        if dataset.name_en:
            graph.add((node, ns.DCTERMS.title, Literal(dataset.name_en, lang="en")))
        graph.add(
            (node, ns.DCTERMS.description, Literal(dataset.description or dataset.name, lang="zh"))
        )
        for tag in dataset.tags or []:
            graph.add((node, ns.DCAT.keyword, Literal(str(tag), lang="zh")))
        for predicate, value in (
            (ns.DCTERMS.issued, _when(dataset.published_at)),
            (ns.DCTERMS.modified, _when(dataset.updated_at)),
        ):
            if value is not None:
                graph.add((node, predicate, value))
        agent = URIRef(f"{open_root}/departments/{dataset.owner.code}/")
        graph.add((agent, ns.RDF.type, ns.FOAF.Agent))
        graph.add((agent, ns.FOAF.name, Literal(dataset.owner.name, lang="zh")))
        graph.add((node, ns.DCTERMS.publisher, agent))
        if dataset.theme is not None:
            concept = URIRef(f"{open_root}/themes/{dataset.theme.code}/")
            graph.add((concept, ns.RDF.type, ns.SKOS.Concept))
            graph.add((concept, ns.SKOS.prefLabel, Literal(dataset.theme.name, lang="zh")))
            if dataset.theme.name_en:
                graph.add((concept, ns.SKOS.prefLabel, Literal(dataset.theme.name_en, lang="en")))
            graph.add((concept, ns.SKOS.inScheme, scheme))
            graph.add((node, ns.DCAT.theme, concept))
        if dataset.frequency in FREQUENCIES:
            frequency = EU_FREQUENCY[FREQUENCIES[dataset.frequency]]
            graph.add((frequency, ns.RDF.type, ns.DCTERMS.Frequency))
            graph.add((node, ns.DCTERMS.accrualPeriodicity, frequency))
        access = EU_ACCESS["PUBLIC" if served_by_api else "RESTRICTED"]
        graph.add((access, ns.RDF.type, ns.DCTERMS.RightsStatement))
        graph.add((node, ns.DCTERMS.accessRights, access))
        if dataset.contact_name:
            contact = BNode()
            graph.add((contact, ns.RDF.type, VCARD.Kind))
            graph.add((contact, VCARD.fn, Literal(dataset.contact_name)))
            graph.add((node, ns.DCAT.contactPoint, contact))
        page = URIRef(f"{open_root}/datasets/{dataset.code}/")
        graph.add((node, ns.DCAT.landingPage, page))
        graph.add((page, ns.RDF.type, ns.FOAF.Document))
        distribution = URIRef(f"{open_root}/datasets/{dataset.code}/distribution")
        graph.add((node, ns.DCAT.distribution, distribution))
        graph.add((distribution, ns.RDF.type, ns.DCAT.Distribution))
        graph.add((distribution, ns.DCTERMS.title, Literal(dataset.name, lang="zh")))
        if served_by_api:
            csv = _resource(graph, f"{open_root}/datasets/{dataset.code}/download.csv")
            graph.add((distribution, ns.DCAT.accessURL, csv))
            graph.add((distribution, ns.DCAT.downloadURL, csv))
            media = IANA["text/csv"]
            graph.add((media, ns.RDF.type, ns.DCTERMS.MediaType))
            graph.add((distribution, ns.DCAT.mediaType, media))
            graph.add((distribution, ns.DCAT.accessService, service))
            graph.add((service, ns.DCAT.servesDataset, node))
        else:
            graph.add(
                (
                    distribution,
                    ns.DCAT.accessURL,
                    _resource(graph, f"{open_root}/datasets/{dataset.code}/apply"),
                )
            )
    return graph
