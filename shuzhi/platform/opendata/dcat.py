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
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

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
    return Literal(value.isoformat(), datatype=XSD.dateTime) if value else None


def _resource(graph: Graph, url: str) -> URIRef:
    """A URL as DCAT-AP wants it: an IRI typed ``rdfs:Resource`` (its ranges shapes check)."""
    node = URIRef(url)
    graph.add((node, RDF.type, RDFS.Resource))
    return node


def catalog_graph(
    datasets: Iterable[Dataset], *, base: str, city: str, modified: datetime
) -> Graph:
    """The DCAT-AP graph of ``datasets``; ``base`` is the site's absolute root (no slash)."""
    graph = Graph()
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("skos", SKOS),
        ("vcard", VCARD),
    ):
        graph.bind(prefix, namespace)
    open_root = f"{base}/open"
    catalog = URIRef(f"{open_root}/catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal(f"{city}公共数据开放目录", lang="zh")))
    graph.add((catalog, DCTERMS.title, Literal(f"{city} open data catalogue", lang="en")))
    graph.add(
        (
            catalog,
            DCTERMS.description,
            Literal(f"{city}无条件开放和受限开放的公共数据。", lang="zh"),
        )
    )
    graph.add(
        (
            catalog,
            DCTERMS.description,
            Literal(f"Public data of {city}, open or opened on application.", lang="en"),
        )
    )
    graph.add((catalog, DCTERMS.modified, Literal(modified.isoformat(), datatype=XSD.dateTime)))
    homepage = URIRef(f"{open_root}/")
    graph.add((homepage, RDF.type, FOAF.Document))
    graph.add((catalog, FOAF.homepage, homepage))
    publisher = URIRef(f"{open_root}/publisher")
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(city, lang="zh")))
    graph.add((catalog, DCTERMS.publisher, publisher))
    service = URIRef(f"{base}/api/3/action/")
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("CKAN Action API", lang="en")))
    graph.add((service, DCAT.endpointURL, _resource(graph, f"{base}/api/3/action/")))
    graph.add((catalog, DCAT.service, service))
    scheme = URIRef(f"{open_root}/themes")
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, DCTERMS.title, Literal("主题分类", lang="zh")))
    graph.add((catalog, DCAT.themeTaxonomy, scheme))

    for dataset in datasets:
        node = URIRef(f"{open_root}/datasets/{dataset.code}/")
        served_by_api = dataset.open_attribute == OpenAttribute.OPEN
        graph.add((catalog, DCAT.dataset, node))
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCTERMS.identifier, Literal(dataset.code)))
        graph.add((node, DCTERMS.title, Literal(dataset.name, lang="zh")))
        if dataset.name_en:
            graph.add((node, DCTERMS.title, Literal(dataset.name_en, lang="en")))
        graph.add(
            (node, DCTERMS.description, Literal(dataset.description or dataset.name, lang="zh"))
        )
        for tag in dataset.tags or []:
            graph.add((node, DCAT.keyword, Literal(str(tag), lang="zh")))
        for predicate, value in (
            (DCTERMS.issued, _when(dataset.published_at)),
            (DCTERMS.modified, _when(dataset.updated_at)),
        ):
            if value is not None:
                graph.add((node, predicate, value))
        agent = URIRef(f"{open_root}/departments/{dataset.owner.code}/")
        graph.add((agent, RDF.type, FOAF.Agent))
        graph.add((agent, FOAF.name, Literal(dataset.owner.name, lang="zh")))
        graph.add((node, DCTERMS.publisher, agent))
        if dataset.theme is not None:
            concept = URIRef(f"{open_root}/themes/{dataset.theme.code}/")
            graph.add((concept, RDF.type, SKOS.Concept))
            graph.add((concept, SKOS.prefLabel, Literal(dataset.theme.name, lang="zh")))
            if dataset.theme.name_en:
                graph.add((concept, SKOS.prefLabel, Literal(dataset.theme.name_en, lang="en")))
            graph.add((concept, SKOS.inScheme, scheme))
            graph.add((node, DCAT.theme, concept))
        if dataset.frequency in FREQUENCIES:
            frequency = EU_FREQUENCY[FREQUENCIES[dataset.frequency]]
            graph.add((frequency, RDF.type, DCTERMS.Frequency))
            graph.add((node, DCTERMS.accrualPeriodicity, frequency))
        access = EU_ACCESS["PUBLIC" if served_by_api else "RESTRICTED"]
        graph.add((access, RDF.type, DCTERMS.RightsStatement))
        graph.add((node, DCTERMS.accessRights, access))
        if dataset.contact_name:
            contact = BNode()
            graph.add((contact, RDF.type, VCARD.Kind))
            graph.add((contact, VCARD.fn, Literal(dataset.contact_name)))
            graph.add((node, DCAT.contactPoint, contact))
        page = URIRef(f"{open_root}/datasets/{dataset.code}/")
        graph.add((node, DCAT.landingPage, page))
        graph.add((page, RDF.type, FOAF.Document))
        distribution = URIRef(f"{open_root}/datasets/{dataset.code}/distribution")
        graph.add((node, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(dataset.name, lang="zh")))
        if served_by_api:
            csv = _resource(graph, f"{open_root}/datasets/{dataset.code}/download.csv")
            graph.add((distribution, DCAT.accessURL, csv))
            graph.add((distribution, DCAT.downloadURL, csv))
            media = IANA["text/csv"]
            graph.add((media, RDF.type, DCTERMS.MediaType))
            graph.add((distribution, DCAT.mediaType, media))
            graph.add((distribution, DCAT.accessService, service))
            graph.add((service, DCAT.servesDataset, node))
        else:
            graph.add(
                (
                    distribution,
                    DCAT.accessURL,
                    _resource(graph, f"{open_root}/datasets/{dataset.code}/apply"),
                )
            )
    return graph
