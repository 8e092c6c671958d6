from django.apps import AppConfig


class StationConfig(AppConfig):
    name = "neurohlh.station"
    label = "station"
    verbose_name = "neurohlh reading station"
    default_auto_field = "django.db.models.BigAutoField"
