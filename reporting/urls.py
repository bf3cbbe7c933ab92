from django.urls import path, register_converter

from core import converters  # noqa: F401 - registers <id:>, the records' identifiers
from reporting.views import bulletins, plans, progress, sheets


class _Text:
    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class _Code(_Text):
    regex = r"\d{6}"  # a bureau's division code


class _Week(_Text):
    regex = r"\d{4}-W\d{2}"  # an ISO week: 2026-W49


class _ListFormat(_Text):
    regex = "csv|xlsx"


class _BulletinFormat(_Text):
    regex = "pdf|xlsx"


register_converter(_Code, "code")
register_converter(_Week, "week")
register_converter(_ListFormat, "listfmt")
register_converter(_BulletinFormat, "bulletinfmt")

app_name = "reporting"
urlpatterns = [
    path("reporting/", progress.dashboard, name="dashboard"),
    path("reporting/definitions/", progress.definitions, name="definitions"),
    path("reporting/bulletins/", bulletins.publish, name="publish"),
    path(
        "reporting/bulletins/<week:week>/preview/",
        bulletins.publish_preview,
        name="publish_preview",
    ),
    path("reporting/<code:code>/", progress.bureau_progress, name="bureau"),
    path("reporting/<code:code>/people/<slug:figure>/", progress.people, name="people"),
    path(
        "reporting/<code:code>/people/<slug:figure>/export.<listfmt:fmt>",
        progress.people_export,
        name="people_export",
    ),
    path("reporting/<code:code>/plan/", plans.plan, name="plan"),
    path("reporting/<code:code>/plan/decide/", plans.plan_decide, name="plan_decide"),
    path("reporting/<code:code>/plan/paper/", plans.plan_paper, name="plan_paper"),
    path("reporting/<code:code>/plan/v<id:number>/", plans.plan_file, name="plan_file"),
    path("reporting/<code:code>/sheets/<week:week>/", sheets.sheet, name="sheet"),
    path(
        "reporting/<code:code>/sheets/<week:week>/decide/", sheets.sheet_decide, name="sheet_decide"
    ),
    path("bulletins/", bulletins.bulletin_list, name="bulletins"),
    path("bulletins/<id:campaign>/<week:week>/", bulletins.bulletin, name="bulletin"),
    path(
        "bulletins/<id:campaign>/<week:week>/bulletin.<bulletinfmt:fmt>",
        bulletins.bulletin_file,
        name="bulletin_file",
    ),
]
