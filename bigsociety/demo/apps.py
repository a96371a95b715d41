from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "bigsociety.demo"
    label = "demo"
    verbose_name = _("The fictional demo area loaded by seed_demo")
