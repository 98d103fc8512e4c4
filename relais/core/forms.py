"""How every form of Relais renders: the DSFR markup for each field, whoever wrote the form.

Django's own forms (password change, set password) and django-otp's code form do not derive
from django-dsfr's DsfrBaseForm; without this renderer their inputs had no DSFR class, hence
no border and no background. The renderer gives every form the DSFR form and field templates
(which add fr-input, fr-select… to the widgets), and templates/django/forms/widgets/select.html
words the empty choice of every select in French ("Sélectionner une option" when a value is
required, "Non renseigné" otherwise) instead of Django's "---------".
"""

from pathlib import Path

from django import forms
from django.conf import settings
from django.utils.functional import cached_property
from dsfr.forms import DsfrBoundField, DsfrDjangoTemplates


class FormRenderer(DsfrDjangoTemplates):
    form_template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    @cached_property
    def engine(self):
        import dsfr

        return self.backend(
            {
                "APP_DIRS": True,
                # Ours first (the select above), then django-dsfr's widgets, then Django's.
                "DIRS": [
                    Path(settings.BASE_DIR) / "templates",
                    Path(dsfr.__file__).resolve().parent / "templates",
                    Path(forms.__path__[0]).resolve() / "templates",
                ],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )
