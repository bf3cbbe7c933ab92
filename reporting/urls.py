from django.urls import path, register_converter

from reporting import views


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
    path("reporting/", views.dashboard, name="dashboard"),
    path("reporting/definitions/", views.definitions, name="definitions"),
    path("reporting/bulletins/", views.publish, name="publish"),
    path("reporting/<code:code>/", views.bureau_progress, name="bureau"),
    path("reporting/<code:code>/people/<slug:figure>/", views.people, name="people"),
    path(
        "reporting/<code:code>/people/<slug:figure>/export.<listfmt:fmt>",
        views.people_export,
        name="people_export",
    ),
    path("reporting/<code:code>/plan/", views.plan, name="plan"),
    path("reporting/<code:code>/plan/decide/", views.plan_decide, name="plan_decide"),
    path("reporting/<code:code>/plan/paper/", views.plan_paper, name="plan_paper"),
    path("reporting/<code:code>/plan/v<int:number>/", views.plan_file, name="plan_file"),
    path("reporting/<code:code>/sheets/<week:week>/", views.sheet, name="sheet"),
    path(
        "reporting/<code:code>/sheets/<week:week>/decide/", views.sheet_decide, name="sheet_decide"
    ),
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/<int:campaign>/<week:week>/", views.bulletin, name="bulletin"),
    path(
        "bulletins/<int:campaign>/<week:week>/bulletin.<bulletinfmt:fmt>",
        views.bulletin_file,
        name="bulletin_file",
    ),
]
