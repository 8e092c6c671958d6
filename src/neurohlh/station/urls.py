"""Every URL of the station; each view carries its roles (see ``views.roles``)."""
from django.urls import path

from neurohlh.station import viewer_views, views
from neurohlh.station.images import views as image_views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("static/<path:path>", views.static, name="static"),
    path("worklist/", views.worklist, name="worklist"),
    path("read/<int:assignment_id>/", views.read_study, name="read"),
    path("read/<int:assignment_id>/amend/", views.request_amendment, name="amend"),
    path("read/<int:assignment_id>/images/", viewer_views.reader_series, name="images"),
    path("read/<int:assignment_id>/images/<slug:code>/<int:index>.png", viewer_views.reader_slice,
         name="image_slice"),
    path("adjudicate/", views.adjudication_queue, name="queue"),
    path("adjudicate/<int:adjudication_id>/", views.adjudicate, name="adjudicate"),
    path("adjudicate/<int:adjudication_id>/images/", viewer_views.adjudicator_series, name="adj_images"),
    path("adjudicate/<int:adjudication_id>/images/<slug:code>/<int:index>.png", viewer_views.adjudicator_slice,
         name="adj_image_slice"),
    path("coordinator/", views.dashboard, name="dashboard"),
    path("coordinator/studies/", views.studies, name="studies"),
    path("coordinator/studies/<int:study_id>/", views.study_detail, name="study"),
    path("coordinator/import/", views.import_view, name="import"),
    path("coordinator/images/", image_views.images_view, name="images_import"),
    path("coordinator/images/held-back/<int:held_id>/", image_views.held_back_file, name="held_back_file"),
    path("coordinator/images/key.csv", image_views.image_key, name="image_key"),
    path("coordinator/assign/", views.assign_view, name="assign"),
    path("coordinator/amendments/<int:amendment_id>/", views.decide_amendment, name="decide_amendment"),
    path("coordinator/rules/", views.rules_view, name="rules"),
    path("coordinator/audit/", views.audit_view, name="audit"),
    path("coordinator/export/", views.export_view, name="export"),
    path("coordinator/analysis/", views.analysis_view, name="analysis"),
    path("coordinator/analysis/<str:run>/<path:path>", views.analysis_file, name="analysis_file"),
]

handler404 = "neurohlh.station.views.not_found"
