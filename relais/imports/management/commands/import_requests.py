from relais.imports.commands import ImportCommand


class Command(ImportCommand):
    help = "Importe des demandes d'insertion ou de logement, une ligne par personne (fichier CSV, colonnes décrites dans relais/imports/requests.py et sur la page d'import). Avec une seule erreur, rien n'est écrit."
    kind = "requests"
