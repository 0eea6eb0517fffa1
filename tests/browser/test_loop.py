"""The closed loop in a browser: a dispatcher routes a task, the department accepts, handles and
closes it with evidence, the reporter rates it, and the ranking changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from shuzhi.platform.loop.models import State, Task
from shuzhi.platform.loop.services import task_open
from tests.factories import PASSWORD, CountyFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(browser: Browser, url: str, username: str) -> Page:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_load_state("load")
    return page


def test_dispatch_handle_close_rate_and_rank(
    browser: Browser, live_server: Any, tmp_path: Path, settings: Any
) -> None:
    settings.DATA_DIR = tmp_path
    county = CountyFactory()
    works = DepartmentFactory(code="330802-ZJ", name="柯城区住建局", division=county)
    DepartmentFactory(code="330802-CG", name="柯城区城管局", division=county)
    UserFactory(username="dispatcher", roles=["supervisor"], department=None)
    UserFactory(username="works_clerk", roles=["clerk"], department=works)
    resident = UserFactory(username="resident", roles=["public"], department=None)
    task = task_open(type_code="report", title="路灯不亮", division=county, by=resident)
    url = live_server.url

    dispatcher = _as(browser, url, "dispatcher")
    dispatcher.goto(f"{url}/loop/rankings/")
    expect(dispatcher.locator("#ranking")).not_to_contain_text("柯城区住建局")
    dispatcher.goto(f"{url}/loop/dispatch/")
    dispatcher.select_option(f"#route-{task.pk}", str(works.pk))
    dispatcher.locator(f"#route-{task.pk}").locator("xpath=..").locator("button").click()
    expect(dispatcher.locator("#task-department")).to_contain_text("柯城区住建局")

    handler = _as(browser, url, "works_clerk")
    handler.goto(f"{url}/loop/")
    handler.locator("#tasks").get_by_text("路灯不亮").click()
    handler.click("#do-accept")
    evidence = tmp_path / "after.png"
    evidence.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    handler.fill("#submit-comment", "已更换灯泡")
    handler.set_input_files("#submit-evidence", str(evidence))
    handler.click("#do-submit")
    expect(handler.locator("#evidence")).to_contain_text("after.png")

    dispatcher.goto(f"{url}/loop/tasks/{task.pk}/")
    dispatcher.click("#do-close")
    expect(dispatcher.locator("#timeline")).to_contain_text("已更换灯泡")

    reporter = _as(browser, url, "resident")
    reporter.goto(f"{url}/loop/tasks/{task.pk}/")
    reporter.check("#score-4")
    reporter.click("#do-rate")
    expect(reporter.locator("#task-rating")).to_contain_text("4 / 5")
    assert Task.objects.get(pk=task.pk).state == State.RATED

    dispatcher.goto(f"{url}/loop/rankings/")
    row = dispatcher.locator("#ranking tbody tr").first
    expect(row).to_contain_text("柯城区住建局")
    expect(row).to_contain_text("4.00")
    expect(dispatcher.locator("#ranking-chart canvas")).to_have_count(1)


def test_overdue_task_escalates_and_shows_in_the_queue(
    browser: Browser, live_server: Any, settings: Any
) -> None:
    from datetime import timedelta

    from shuzhi.platform.loop.services import scan_deadlines, task_dispatch

    county = CountyFactory()
    works = DepartmentFactory(code="330802-ZJ", name="柯城区住建局", division=county)
    supervisor = UserFactory(username="dispatcher", roles=["supervisor"], department=None)
    task = task_open(type_code="warning", title="用电量同比下降", division=county)
    task_dispatch(task=task, department=works, by=supervisor)
    scan_deadlines(now=task.deadline + timedelta(hours=settings.LOOP_ESCALATE_AFTER_HOURS + 1))
    assert Task.objects.get(pk=task.pk).supervision_level == 1

    page = _as(browser, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/loop/dispatch/")
    row = page.locator("#overdue tbody tr").first
    expect(row).to_contain_text("用电量同比下降")
    expect(row.locator(".badge.text-bg-danger").last).to_contain_text("1")
    page.goto(f"{live_server.url}/loop/tasks/{task.pk}/")
    expect(page.locator("#timeline")).to_contain_text("level 1")

    # The supervisor's inbox carries the escalation notice; opening it lands on the list of
    # overdue tasks, from which the supervisor raises the task one more level by hand (督办).
    page.click("#inbox-bell")
    notice = page.locator("#inbox li").filter(has_text="督办")
    expect(notice).to_have_count(1)
    notice.get_by_role("button").first.click()
    expect(page.locator("#task-count")).to_contain_text("1")
    page.locator("#tasks").get_by_text("用电量同比下降").click()
    page.fill("#escalate-comment", "请分管领导督办")
    page.click("#do-escalate")
    expect(page.locator("#timeline")).to_contain_text("请分管领导督办")
    assert Task.objects.get(pk=task.pk).supervision_level == 2
