from django import forms
from dsfr.forms import DsfrBaseForm

from relais.core import csvfiles


class UploadForm(DsfrBaseForm):
    """The file of an import; its text, or a French reason why it cannot be read."""

    file = forms.FileField(
        label="Fichier CSV",
        help_text="Au plus 5 Mo. Enregistré depuis un tableur au format CSV (séparateur "
        "point-virgule ou virgule, encodage UTF-8 ou Windows).",
        error_messages={
            "required": "Choisissez le fichier à importer.",
            "empty": "Le fichier est vide.",
            "invalid": "Ce n'est pas un fichier : choisissez-en un.",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > csvfiles.MAX_BYTES:
            raise forms.ValidationError("Le fichier dépasse 5 Mo : découpez-le.")
        try:
            self.cleaned_data["text"] = csvfiles.text_of(upload.read(), name=upload.name)
        except csvfiles.FileRefused as refusal:
            raise forms.ValidationError(str(refusal)) from None
        return upload
