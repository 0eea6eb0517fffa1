"""Carbon account pages (thin): the dashboard of a year's current run, the enterprise list and
page ("explain my grade"), the emission-factor table, the enterprise's bank authorisations,
and the bank's pages (loan products, carbon credit report as a page and a PDF)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import BaseFormSet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shuzhi.platform.accounts.models import User
from shuzhi.platform.security.permissions import has_perm

from . import pdf
from .forms import (
    ActivityFormSet,
    AuthoriseForm,
    DraftForm,
    FactorSetForm,
    FuelFormSet,
    GridFormSet,
    LoanProductForm,
)
from .models import BankAuthorisation, Colour, FactorSet, LoanProduct
from .selectors import (
    account_history,
    account_list,
    account_position,
    account_rule,
    as_float,
    authorisation_list,
    authorisations_for_bank,
    bank_departments,
    bank_grants,
    colour_hex,
    colour_label,
    county_names,
    dashboard,
    efficiency_facts,
    efficiency_levels,
    explanation_rows,
    factor_set_active,
    factor_set_list,
    field_labels,
    grade_rule,
    loan_products,
    mapping_get,
    may_edit_factors,
    no_grade_reason,
    problem_rows,
    run_current,
    run_problems,
    run_years,
    source_totals,
    trend,
)
from .services.factors import (
    FactorError,
    factor_set_activate,
    factor_set_draft_create,
    factor_set_save,
)
from .services.finance import (
    CarbonRefused,
    CreditReport,
    account_read,
    bank_authorisation_revoke,
    bank_authorise,
    credit_report_check,
    credit_report_read,
    loan_product_delete,
    loan_product_save,
)

PAGE = 50
# shown once in the report's facts, not in every year's row
HIDDEN_COLUMNS = frozenset({"credit_code", "enterprise_name", "name", "run_id"})


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _require(request: HttpRequest, perm: str) -> None:
    if not has_perm(request.user, perm):
        raise PermissionDenied(perm)


def _year(request: HttpRequest, years: list[int]) -> int | None:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return years[0] if years else None
    return year if year in years else (years[0] if years else None)


def _refused(request: HttpRequest, refusal: CarbonRefused) -> HttpResponse:
    return render(
        request,
        "carbon/refused.html",
        {"status": refusal.status, "code": refusal.code, "message": refusal.message},
        status=refusal.status,
    )


# --- dashboard and enterprises -------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The dashboard for government staff; enterprises and banks go to their own pages."""
    if not has_perm(request.user, "carbon.view"):
        if has_perm(request.user, "carbon.own"):
            return redirect("carbon:mine")
        if has_perm(request.user, "carbon.finance"):
            return redirect("carbon:bank")
        raise PermissionDenied("carbon.view")
    years = run_years()
    year = _year(request, years)
    run = run_current(year=year) if year is not None else None
    counties = county_names()
    county = request.GET.get("county", "")
    if county not in counties:
        county = ""
    return render(
        request,
        "carbon/index.html",
        {
            "years": years,
            "year": year,
            "run": run,
            "counties": counties.items(),
            "county": county,
            "county_name": counties.get(county, ""),
            "data": dashboard(run=run, county=county) if run else None,
            "run_problems": run_problems(run) if run else [],
            "rule": grade_rule(),
            "levels": efficiency_levels(),
            "active_factors": factor_set_active(),
        },
    )


@login_required
def enterprises(request: HttpRequest) -> HttpResponse:
    _require(request, "carbon.view")
    years = run_years()
    year = _year(request, years)
    run = run_current(year=year) if year is not None else None
    counties = county_names()
    county = request.GET.get("county", "")
    county = county if county in counties else ""
    colour = request.GET.get("colour", "")
    colour = colour if colour in Colour.values or colour == "none" else ""
    industry = request.GET.get("industry", "").strip()[:5]
    q = request.GET.get("q", "").strip()[:100]
    accounts = (
        account_list(run=run, county=county, industry=industry, colour=colour, q=q) if run else None
    )
    page = (
        Paginator(accounts, PAGE).get_page(request.GET.get("page"))
        if accounts is not None
        else None
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "carbon/enterprises.html",
        {
            "run": run,
            "years": years,
            "year": year,
            "page": page,
            "counties": counties.items(),
            "county_names": counties,
            "county": county,
            "colour": colour,
            "colours": Colour.choices,
            "industry": industry,
            "q": q,
            "query": query.urlencode(),
        },
    )


@login_required
def enterprise(request: HttpRequest, credit_code: str) -> HttpResponse:
    """One enterprise's carbon account: the grade explained dimension by dimension."""
    own = account_read(by=_user(request), credit_code=credit_code, request=request)
    history = account_history(credit_code=credit_code)
    years = sorted({a.year for a in history}, reverse=True)
    if not history and not own:
        raise Http404(credit_code)
    year = _year(request, years)
    account = next((a for a in history if a.year == year), None)
    context: dict[str, Any] = {
        "credit_code": credit_code,
        "account": account,
        "years": years,
        "year": year,
        "own": own,
        "history": history,
        "chart": trend(history),
        "rule": grade_rule(),
        "levels": efficiency_levels(),
        "county_names": county_names(),
    }
    if account is not None:
        context.update(
            explanation=explanation_rows(account),
            rule=account_rule(account),
            efficiency=efficiency_facts(account),
            position=account_position(account),
            problems=problem_rows(account.problems),
            no_grade=no_grade_reason(account),
            sources=source_totals(account),
            colour_hex=colour_hex(account.colour),
        )
    if own:
        context.update(
            authorisations=authorisation_list(credit_code=credit_code),
            authorise_form=AuthoriseForm(banks=bank_departments()),
            now=timezone.now(),
        )
    return render(request, "carbon/enterprise.html", context)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in enterprise's own account (政企通: my carbon account)."""
    _require(request, "carbon.own")
    code = _user(request).credit_code
    if not code:
        raise PermissionDenied("carbon.own: no enterprise")
    return enterprise(request, code)


@login_required
@require_POST
def authorise(request: HttpRequest) -> HttpResponse:
    _require(request, "carbon.own")
    form = AuthoriseForm(request.POST, banks=bank_departments())
    if not form.is_valid():
        messages.error(request, _("Choose a bank and a period of 1 to 365 days."))
        return redirect("carbon:mine")
    try:
        bank_authorise(
            by=_user(request),
            bank=form.cleaned_data["bank"],
            days=form.cleaned_data["days"],
            request=request,
        )
    except CarbonRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("%(bank)s may now read your carbon account.") % {"bank": form.cleaned_data["bank"]},
        )
    return redirect("carbon:mine")


@login_required
@require_POST
def authorisation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    authorisation = get_object_or_404(BankAuthorisation.objects.select_related("bank"), pk=pk)
    try:
        bank_authorisation_revoke(by=_user(request), authorisation=authorisation, request=request)
    except CarbonRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("%(bank)s may no longer read your carbon account.") % {"bank": authorisation.bank},
        )
    return redirect("carbon:mine")


# --- emission factors ----------------------------------------------------------------------


def _factor_viewer(request: HttpRequest) -> bool:
    may_edit = may_edit_factors(request.user)
    if not may_edit and not has_perm(request.user, "carbon.view"):
        raise PermissionDenied("carbon.view")
    return may_edit


@login_required
def factors(request: HttpRequest) -> HttpResponse:
    may_edit = _factor_viewer(request)
    suggestion = f"{timezone.localdate():%Y.%m.%d}"
    return render(
        request,
        "carbon/factors.html",
        {
            "sets": factor_set_list(),
            "may_edit": may_edit,
            "form": DraftForm(initial={"version": suggestion}),
        },
    )


@login_required
@require_POST
def factor_new(request: HttpRequest) -> HttpResponse:
    form = DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new version a name of at most 32 characters."))
        return redirect("carbon:factors")
    try:
        factor_set = factor_set_draft_create(
            by=_user(request),
            version=form.cleaned_data["version"],
            title=form.cleaned_data["title"],
            request=request,
        )
    except FactorError as error:
        messages.error(request, error.message)
        return redirect("carbon:factors")
    messages.success(request, _("Draft created from the active set. Edit it, then activate it."))
    return redirect("carbon:factor", factor_set.pk)


def _rows(formset: BaseFormSet) -> tuple[list[dict[str, Any]], list[int]]:
    """The kept rows' values and, for each, the index of its form (to put errors back)."""
    rows, where = [], []
    for i, form in enumerate(formset.forms):
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        rows.append({k: v for k, v in data.items() if k != "DELETE"})
        where.append(i)
    return rows, where


@login_required
@require_http_methods(["GET", "POST"])
def factor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    may_edit = _factor_viewer(request)
    factor_set = get_object_or_404(FactorSet.objects.select_related("created_by"), pk=pk)
    editable = may_edit and factor_set.state == FactorSet.State.DRAFT
    header_initial = {
        "title": factor_set.title,
        "source": factor_set.source,
        "heat_factor": factor_set.heat_factor,
        "heat_source": factor_set.heat_source,
    }
    fuel_initial = list(
        factor_set.fuels.values("fuel", "ncv", "ncv_unit", "carbon_content", "oxidation", "source")
    )
    grid_initial = list(factor_set.grids.values("year", "region", "value", "source"))
    activity_initial = list(
        factor_set.activities.values("domain", "activity", "unit", "value", "source")
    )
    data = request.POST if request.method == "POST" else None
    header = FactorSetForm(data, initial=header_initial, prefix="set")
    fuels = FuelFormSet(data, initial=fuel_initial, prefix="fuels")
    grids = GridFormSet(data, initial=grid_initial, prefix="grids")
    activities = ActivityFormSet(data, initial=activity_initial, prefix="activities")
    error = ""
    if request.method == "POST":
        if not editable:
            try:  # the service refuses and audits (wrong department, not a draft)
                factor_set_save(
                    by=_user(request),
                    factor_set=factor_set,
                    header=header_initial,
                    fuels=fuel_initial,
                    grids=grid_initial,
                    activities=activity_initial,
                    request=request,
                )
            except FactorError as refusal:
                messages.error(request, refusal.message)
                return redirect("carbon:factor", factor_set.pk)
        forms_valid = all(f.is_valid() for f in (header, fuels, grids, activities))
        if forms_valid:
            fuel_rows, fuel_at = _rows(fuels)
            grid_rows, grid_at = _rows(grids)
            activity_rows, activity_at = _rows(activities)
            try:
                factor_set_save(
                    by=_user(request),
                    factor_set=factor_set,
                    header=header.cleaned_data,
                    fuels=fuel_rows,
                    grids=grid_rows,
                    activities=activity_rows,
                    request=request,
                )
            except FactorError as refusal:
                error = refusal.message
                places: dict[str, tuple[BaseFormSet, list[int]]] = {
                    "fuels": (fuels, fuel_at),
                    "grids": (grids, grid_at),
                    "activities": (activities, activity_at),
                }
                for row_error in refusal.errors:
                    if row_error.section == "set":
                        if row_error.field in header.fields:
                            header.add_error(row_error.field, row_error.message)
                        continue
                    formset, at = places[row_error.section]
                    form = formset.forms[at[row_error.index]]
                    form.add_error(
                        row_error.field if row_error.field in form.fields else None,
                        row_error.message,
                    )
            else:
                messages.success(request, _("Factor set saved."))
                return redirect("carbon:factor", factor_set.pk)
        else:
            error = _("Some values need correcting.")
    return render(
        request,
        "carbon/factor.html",
        {
            "factor_set": factor_set,
            "editable": editable,
            "may_edit": may_edit,
            "header": header,
            "fuels": fuels,
            "grids": grids,
            "activities": activities,
            "error": error,
            "fuel_rows": factor_set.fuels.all(),
            "grid_rows": factor_set.grids.all(),
            "activity_rows": factor_set.activities.all(),
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def factor_activate(request: HttpRequest, pk: int) -> HttpResponse:
    factor_set = get_object_or_404(FactorSet, pk=pk)
    try:
        factor_set_activate(by=_user(request), factor_set=factor_set, request=request)
    except FactorError as refusal:
        messages.error(request, refusal.message)
        if refusal.errors:
            messages.error(request, _("Open the draft, correct the values marked and save it."))
    else:
        messages.success(
            request,
            _("Version %(version)s is now active; the previous set is retired.")
            % {"version": factor_set.version},
        )
    return redirect("carbon:factor", factor_set.pk)


# --- banks ---------------------------------------------------------------------------------


def _bank(request: HttpRequest) -> Any:
    _require(request, "carbon.finance")
    bank = _user(request).department
    if bank is None:
        raise PermissionDenied("carbon.finance: no bank")
    return bank


@login_required
def bank(request: HttpRequest) -> HttpResponse:
    """The bank's page: enterprises that authorised it, its grant and its loan products."""
    department = _bank(request)
    code = request.GET.get("credit_code", "").strip().upper()
    status = 200
    if code:
        # only letters and digits can be a credit code (and a path segment of the report)
        if len(code) <= 18 and code.isascii() and code.isalnum():
            return redirect("carbon:report", code)
        messages.error(request, _("That is not a unified social credit code."))
        status = 400
    grants = bank_grants(user=request.user, bank=department)
    return render(
        request,
        "carbon/bank.html",
        {
            "bank": department,
            "authorisations": authorisations_for_bank(bank=department),
            "grant": grants[0] if grants else None,
            "products": loan_products(bank=department),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def bank_products(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    department = _bank(request)
    product = get_object_or_404(LoanProduct, pk=pk, bank=department) if pk else None
    initial = (
        {
            "name": product.name,
            "colour": product.colour,
            "rate_adjustment_bp": product.rate_adjustment_bp,
            "description": product.description,
        }
        if product
        else {}
    )
    form = LoanProductForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            loan_product_save(
                by=_user(request), values=form.cleaned_data, product=product, request=request
            )
        except CarbonRefused as refusal:
            form.add_error(None, refusal.message)
            status = refusal.status
        else:
            messages.success(request, _("Product saved."))
            return redirect("carbon:products")
    elif request.method == "POST":
        status = 400  # the form comes back with the errors beside the values
    return render(
        request,
        "carbon/products.html",
        {
            "bank": department,
            "form": form,
            "product": product,
            "products": loan_products(bank=department),
        },
        status=status,
    )


@login_required
@require_POST
def bank_product_delete(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(LoanProduct, pk=pk)
    loan_product_delete(by=_user(request), product=product, request=request)
    messages.success(request, _("Product removed."))
    return redirect("carbon:products")


def _fmt(value: Any, digits: int = 2) -> str:
    number = as_float(value)
    if number is None:
        return str(value) if value not in (None, "") else "—"
    return number_format(round(number, digits), decimal_pos=None, force_grouping=True)


def _report_view(report: CreditReport) -> dict[str, Any]:
    """The report's rows and facts, translated and formatted, for the page and the PDF."""
    labels = field_labels()
    columns = [c for c in report.columns if c not in HIDDEN_COLUMNS]
    table = []
    for row in report.rows:
        cells = []
        for column in columns:
            value = row.get(column)
            if column == "colour":
                cells.append(colour_label(value))
            elif column == "year":
                cells.append(str(value or ""))
            else:
                cells.append(_fmt(value, 4 if column in ("intensity", "score") else 2))
        table.append(cells)
    latest = report.latest or {}
    colour = str(latest.get("colour") or "")
    facts = [
        (_("Enterprise"), str(mapping_get(latest, "enterprise_name", "name") or "—")),
        (_("Unified social credit code"), report.credit_code),
        (_("Year"), str(latest.get("year") or "—")),
        (_("Colour"), colour_label(colour) or _("No grade")),
        (_("Carbon efficiency code"), str(latest.get("efficiency_level") or "—")),
        (_("Total emissions (tCO2)"), _fmt(latest.get("total_tco2"))),
        (_("Intensity (tCO2 per 10,000 yuan)"), _fmt(latest.get("intensity"), 4)),
    ]
    products = [
        (
            p.name,
            _("%(bp)+d basis points") % {"bp": p.rate_adjustment_bp},
            p.description,
        )
        for p in report.products
    ]
    rows_by_year = [r for r in report.rows if r.get("year") not in (None, "")]
    chart = {
        "years": [str(r.get("year")) for r in rows_by_year],
        "tco2": [as_float(r.get("total_tco2")) for r in rows_by_year],
        "intensity": [as_float(r.get("intensity")) for r in rows_by_year],
        "colours": [colour_hex(r.get("colour")) for r in rows_by_year],
        "labels": {"tco2": _("Emissions (tCO2)"), "intensity": _("Intensity")},
    }
    return {
        "header": [labels.get(c, c) for c in columns],
        "table": table,
        "facts": facts,
        "colour": colour,
        "colour_hex": colour_hex(colour),
        "products": products,
        "chart": chart,
    }


@login_required
def bank_report(request: HttpRequest, credit_code: str) -> HttpResponse:
    """碳信用报告: read through the bank's sharing grant, for an authorising enterprise (the
    service checks the bank role and audits refusals)."""
    try:
        report = credit_report_read(by=_user(request), credit_code=credit_code, request=request)
    except CarbonRefused as refusal:
        return _refused(request, refusal)
    return render(
        request,
        "carbon/report.html",
        {
            "report": report,
            "view": _report_view(report),
            "rule": grade_rule(),
            "levels": efficiency_levels(),
        },
    )


def _pdf_unavailable(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "carbon/refused.html",
        {
            "status": 503,
            "code": "pdf_font_missing",
            "message": _(
                "The PDF cannot be made: the Chinese font it needs is not installed on the "
                "server. Print the report page instead, and ask the administrator to install "
                "the font (fonts-noto-cjk)."
            ),
        },
        status=503,
    )


@login_required
def bank_report_pdf(request: HttpRequest, credit_code: str) -> HttpResponse:
    try:  # refusals first and audited; the read itself only once the PDF can be made
        credit_report_check(by=_user(request), credit_code=credit_code, request=request, form="pdf")
    except CarbonRefused as refusal:
        return _refused(request, refusal)
    if not pdf.font_available():
        return _pdf_unavailable(request)
    try:
        report = credit_report_read(
            by=_user(request), credit_code=credit_code, request=request, form="pdf"
        )
    except CarbonRefused as refusal:
        return _refused(request, refusal)
    view = _report_view(report)
    notes = [
        _("Rate adjustments of %(bank)s for this colour:") % {"bank": report.bank}
        + " "
        + "; ".join(f"{name} {bp}" for name, bp, _d in view["products"])
        if view["products"]
        else _("%(bank)s has no loan product for this colour.") % {"bank": report.bank},
        _(
            "The grade is read from the shared carbon account dataset under the bank's sharing "
            "grant and the enterprise's authorisation; the read is recorded."
        ),
    ]
    sheet = pdf.Sheet(
        title=_("Carbon credit report"),
        subtitle=_("%(bank)s · read %(time)s")
        % {
            "bank": report.bank,
            "time": timezone.localtime(report.read_at).strftime("%Y-%m-%d %H:%M"),
        },
        facts=view["facts"],
        header=view["header"],
        rows=view["table"],
        notes=notes,
        footer=_("Authorised by the enterprise until %(date)s.")
        % {"date": timezone.localtime(report.authorisation.expires_at).strftime("%Y-%m-%d")},
    )
    try:
        body = pdf.render(sheet)
    except pdf.FontMissing:
        return _pdf_unavailable(request)
    except pdf.LayoutFailed:
        return render(
            request,
            "carbon/refused.html",
            {
                "status": 500,
                "code": "pdf_layout",
                "message": _(
                    "The PDF cannot be laid out (the report has too many columns for the page). "
                    "Print the report page instead."
                ),
            },
            status=500,
        )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="carbon-report-{report.credit_code}.pdf"'
    return response
